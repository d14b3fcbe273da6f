package dev.berth.cli.template;

/** Go's eq and lt over basic kinds, comparing integers of mixed signedness by value. */
final class Compare {
    private enum Basic { INVALID, BOOL, INT, UINT, FLOAT, STRING }

    private Compare() {
    }

    private static Basic basic(Val v) {
        if (v == null) {
            return Basic.INVALID;
        }
        return switch (v.kind()) {
            case BOOL -> Basic.BOOL;
            case INT -> Basic.INT;
            case UINT -> Basic.UINT;
            case FLOAT -> Basic.FLOAT;
            case STRING -> Basic.STRING;
            default -> Basic.INVALID;
        };
    }

    static boolean eq(Val arg1, java.util.List<Val> rest) {
        Val a = Builtins.indirectInterface(arg1);
        if (rest.isEmpty()) {
            throw new Builtins.CallError("missing argument for comparison");
        }
        Basic k1 = basic(a);
        for (Val r : rest) {
            Val b = Builtins.indirectInterface(r);
            Basic k2 = basic(b);
            boolean truth;
            if (k1 != k2) {
                if (k1 == Basic.INT && k2 == Basic.UINT || k1 == Basic.UINT && k2 == Basic.INT) {
                    truth = a.asLong() >= 0 && b.asLong() >= 0 && a.asLong() == b.asLong();
                } else if (a != null && b != null) {
                    throw new Builtins.CallError("incompatible types for comparison");
                } else {
                    truth = false;
                }
            } else {
                truth = switch (k1) {
                    case BOOL, STRING, INT, UINT -> a.v().equals(b.v());
                    case FLOAT -> ((Double) a.v()).doubleValue() == (Double) b.v();
                    case INVALID -> other(a, b);
                };
            }
            if (truth) {
                return true;
            }
        }
        return false;
    }

    /** Values of no basic kind: nil against nil, else Go's == where the type allows it. */
    private static boolean other(Val a, Val b) {
        boolean nilA = a == null || a.isNil();
        boolean nilB = b == null || b.isNil();
        if (a != null && b != null && !a.type().equals(b.type()) && !nilA && !nilB) {
            throw new Builtins.CallError("non-comparable types " + Fmt.print(a) + ": " + a.type() + ", " + b.type()
                    + ": " + Fmt.print(b));
        }
        if (nilA || nilB) {
            return nilA == nilB;
        }
        if (a.kind() == GoType.Kind.SLICE || a.kind() == GoType.Kind.MAP) {
            throw new Builtins.CallError("non-comparable type " + Fmt.print(b) + ": " + b.type());
        }
        if (a.kind() == GoType.Kind.PTR) {
            return a.v() == b.v();
        }
        return a.equals(b);
    }

    static boolean lt(Val arg1, Val arg2) {
        Val a = Builtins.indirectInterface(arg1);
        Val b = Builtins.indirectInterface(arg2);
        Basic k1 = basic(a);
        Basic k2 = basic(b);
        if (k1 == Basic.INVALID || k2 == Basic.INVALID) {
            throw new Builtins.CallError("invalid type for comparison");
        }
        if (k1 != k2) {
            if (k1 == Basic.INT && k2 == Basic.UINT) {
                return a.asLong() < 0 || a.asLong() < b.asLong();
            }
            if (k1 == Basic.UINT && k2 == Basic.INT) {
                return b.asLong() >= 0 && a.asLong() < b.asLong();
            }
            throw new Builtins.CallError("incompatible types for comparison");
        }
        return switch (k1) {
            case BOOL -> throw new Builtins.CallError("invalid type for comparison");
            case INT, UINT -> a.asLong() < b.asLong();
            case FLOAT -> (Double) a.v() < (Double) b.v();
            case STRING -> a.str().compareTo(b.str()) < 0;
            default -> throw new Builtins.CallError("invalid type for comparison");
        };
    }
}
