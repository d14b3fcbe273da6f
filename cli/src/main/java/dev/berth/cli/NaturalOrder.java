package dev.berth.cli;

/**
 * The order {@code docker plugin ls} sorts names in (fvbommel/sortorder's NaturalLess): runs of digits
 * compare by their value, everything else byte by byte.
 */
final class NaturalOrder {
    private NaturalOrder() {
    }

    static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            boolean da = Character.isDigit(ca);
            boolean db = Character.isDigit(cb);
            if (da && db) {
                int si = i;
                int sj = j;
                while (i < a.length() && a.charAt(i) == '0') {
                    i++;
                }
                while (j < b.length() && b.charAt(j) == '0') {
                    j++;
                }
                int ni = i;
                int nj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                String va = a.substring(ni, i);
                String vb = b.substring(nj, j);
                if (va.length() != vb.length()) {
                    return va.length() - vb.length();
                }
                int c = va.compareTo(vb);
                if (c != 0) {
                    return c;
                }
                // equal values: fewer leading zeros first
                if (i - si != j - sj) {
                    return (i - si) - (j - sj);
                }
            } else {
                if (ca != cb) {
                    return ca - cb;
                }
                i++;
                j++;
            }
        }
        return (a.length() - i) - (b.length() - j);
    }
}
