package dev.berth.cli.template;

import java.util.ArrayList;
import java.util.List;

/**
 * Go's {@code text/template/parse} lexer: splits a template into text and the tokens of its actions,
 * applying trim markers ({@code {{- } and { -}}}) to the text around them. The tokens end with EOF or
 * with one error token carrying Go's message, which the parser reports when it reaches it.
 */
final class Lexer {
    enum Kind {
        TEXT, LEFT_DELIM, RIGHT_DELIM, COMMENT, SPACE, IDENTIFIER, FIELD, VARIABLE, DOT, STRING, RAW_STRING,
        CHAR_CONSTANT, NUMBER, BOOL, NIL, PIPE, LEFT_PAREN, RIGHT_PAREN, DECLARE, ASSIGN, CHAR,
        // keywords
        IF, ELSE, END, RANGE, WITH, BREAK, CONTINUE, DEFINE, TEMPLATE, BLOCK,
        EOF, ERROR;

        boolean keyword() {
            return ordinal() >= IF.ordinal() && ordinal() <= BLOCK.ordinal();
        }
    }

    record Token(Kind kind, int pos, String val) {
        /** How Go's parser names a token in "unexpected ..." errors. */
        @Override
        public String toString() {
            if (kind == Kind.EOF) {
                return "EOF";
            }
            if (kind == Kind.ERROR) {
                return val;
            }
            if (kind.keyword()) {
                return "<" + val + ">";
            }
            if (val.codePointCount(0, val.length()) > 10) {
                return Quote.goShort(val) + "...";
            }
            return Quote.go(val);
        }
    }

    private static final String LEFT = "{{";
    private static final String RIGHT = "}}";

    private final String in;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private int start;
    private int parenDepth;

    private Lexer(String in) {
        this.in = in;
    }

    static List<Token> lex(String text) {
        Lexer l = new Lexer(text);
        l.run();
        return l.tokens;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean isAlnum(int c) {
        return c == '_' || Character.isLetterOrDigit(c);
    }

    private void emit(Kind k) {
        tokens.add(new Token(k, start, in.substring(start, pos)));
        start = pos;
    }

    private boolean error(String message) {
        tokens.add(new Token(Kind.ERROR, start, message));
        return false;
    }

    private void run() {
        while (lexText()) {
            if (!lexAction()) {
                return;
            }
        }
    }

    /** Text up to the next left delimiter; false at the end. */
    private boolean lexText() {
        int x = in.indexOf(LEFT, pos);
        if (x < 0) {
            pos = in.length();
            if (pos > start) {
                emit(Kind.TEXT);
            }
            tokens.add(new Token(Kind.EOF, pos, ""));
            return false;
        }
        int textEnd = x;
        boolean trim = hasLeftTrimMarker(x + LEFT.length());
        if (trim) {
            while (textEnd > start && isSpace(in.charAt(textEnd - 1))) {
                textEnd--;
            }
        }
        pos = textEnd;
        if (pos > start) {
            emit(Kind.TEXT);
        }
        pos = x;
        start = x;
        return true;
    }

    private boolean hasLeftTrimMarker(int at) {
        return at + 1 < in.length() && in.charAt(at) == '-' && isSpace(in.charAt(at + 1));
    }

    /** At a right delimiter (with or without a trim marker): the length to skip, or 0. */
    private int atRightDelim() {
        if (pos + 1 < in.length() && isSpace(in.charAt(pos)) && in.charAt(pos + 1) == '-'
                && in.startsWith(RIGHT, pos + 2)) {
            return 4;
        }
        return in.startsWith(RIGHT, pos) ? 2 : 0;
    }

    private void trimFollowingSpace() {
        while (pos < in.length() && isSpace(in.charAt(pos))) {
            pos++;
        }
        start = pos;
    }

    /** One action from its left delimiter to its right one; false after an error. */
    private boolean lexAction() {
        boolean trimLeft = hasLeftTrimMarker(pos + LEFT.length());
        pos += LEFT.length();
        emitDelim(Kind.LEFT_DELIM, trimLeft);
        if (in.startsWith("/*", pos)) {
            return lexComment();
        }
        parenDepth = 0;
        while (true) {
            int right = atRightDelim();
            if (right > 0) {
                if (parenDepth != 0) {
                    return error("unclosed left paren");
                }
                pos += right;
                tokens.add(new Token(Kind.RIGHT_DELIM, start, RIGHT));
                start = pos;
                if (right == 4) {
                    trimFollowingSpace();
                }
                return true;
            }
            if (pos >= in.length()) {
                return error("unclosed action");
            }
            char c = in.charAt(pos);
            if (c == '\r' || c == '\n') {
                return error("unclosed action");
            }
            if (isSpace(c)) {
                // a space run stops before " -}}" so that the trim marker is seen
                while (pos < in.length() && isSpace(in.charAt(pos))) {
                    if (pos + 1 < in.length() && in.charAt(pos + 1) == '-' && in.startsWith(RIGHT, pos + 2)) {
                        break;
                    }
                    pos++;
                }
                if (pos > start) {
                    emit(Kind.SPACE);
                }
                continue;
            }
            pos++;
            switch (c) {
                case '=' -> emit(Kind.ASSIGN);
                case ':' -> {
                    if (pos >= in.length() || in.charAt(pos) != '=') {
                        return error("expected :=");
                    }
                    pos++;
                    emit(Kind.DECLARE);
                }
                case '|' -> emit(Kind.PIPE);
                case '"' -> {
                    if (!quoted('"', Kind.STRING, "unterminated quoted string")) {
                        return false;
                    }
                }
                case '`' -> {
                    int end = in.indexOf('`', pos);
                    if (end < 0) {
                        return error("unterminated raw quoted string");
                    }
                    pos = end + 1;
                    emit(Kind.RAW_STRING);
                }
                case '\'' -> {
                    if (!quoted('\'', Kind.CHAR_CONSTANT, "unterminated character constant")) {
                        return false;
                    }
                }
                case '$' -> {
                    if (!variableOrField(Kind.VARIABLE)) {
                        return false;
                    }
                }
                case '.' -> {
                    if (pos < in.length() && Character.isDigit(in.charAt(pos))) {
                        pos--;
                        if (!number()) {
                            return false;
                        }
                    } else if (!variableOrField(Kind.FIELD)) {
                        return false;
                    }
                }
                case '(' -> {
                    parenDepth++;
                    emit(Kind.LEFT_PAREN);
                }
                case ')' -> {
                    // an unbalanced one is the parser's to report ("unexpected \")\" in command")
                    parenDepth--;
                    emit(Kind.RIGHT_PAREN);
                }
                default -> {
                    if (c == '+' || c == '-' || Character.isDigit(c)) {
                        pos--;
                        if (!number()) {
                            return false;
                        }
                    } else if (isAlnum(c)) {
                        if (!identifier()) {
                            return false;
                        }
                    } else if (c < 0x80 && c >= 0x20) {
                        emit(Kind.CHAR);
                    } else {
                        return error("unrecognized character in action: " + unicode(c));
                    }
                }
            }
        }
    }

    private void emitDelim(Kind kind, boolean trim) {
        tokens.add(new Token(kind, start, LEFT));
        pos += trim ? 2 : 0;
        start = pos;
    }

    private boolean lexComment() {
        int end = in.indexOf("*/", pos + 2);
        if (end < 0) {
            return error("unclosed comment");
        }
        pos = end + 2;
        int right = atRightDelim();
        if (right == 0) {
            return error("comment ends before closing delimiter");
        }
        emit(Kind.COMMENT);
        pos += right;
        tokens.add(new Token(Kind.RIGHT_DELIM, start, RIGHT));
        start = pos;
        if (right == 4) {
            trimFollowingSpace();
        }
        return true;
    }

    private boolean quoted(char quote, Kind kind, String unterminated) {
        while (true) {
            if (pos >= in.length() || in.charAt(pos) == '\n') {
                return error(unterminated);
            }
            char c = in.charAt(pos++);
            if (c == '\\') {
                if (pos >= in.length() || in.charAt(pos) == '\n') {
                    return error(unterminated);
                }
                pos++;
            } else if (c == quote) {
                emit(kind);
                return true;
            }
        }
    }

    private boolean variableOrField(Kind kind) {
        if (kind == Kind.VARIABLE && !(pos < in.length() && isAlnum(in.charAt(pos)))) {
            emit(Kind.VARIABLE); // "$"
            return true;
        }
        if (kind == Kind.FIELD && !(pos < in.length() && isAlnum(in.charAt(pos)))) {
            emit(Kind.DOT);
            return true;
        }
        while (pos < in.length() && isAlnum(in.charAt(pos))) {
            pos++;
        }
        if (!atTerminator()) {
            return error("bad character " + unicode(in.charAt(pos)));
        }
        emit(kind);
        return true;
    }

    private boolean identifier() {
        while (pos < in.length() && isAlnum(in.charAt(pos))) {
            pos++;
        }
        if (!atTerminator()) {
            return error("bad character " + unicode(in.charAt(pos)));
        }
        String word = in.substring(start, pos);
        Kind k = switch (word) {
            case "if" -> Kind.IF;
            case "else" -> Kind.ELSE;
            case "end" -> Kind.END;
            case "range" -> Kind.RANGE;
            case "with" -> Kind.WITH;
            case "break" -> Kind.BREAK;
            case "continue" -> Kind.CONTINUE;
            case "define" -> Kind.DEFINE;
            case "template" -> Kind.TEMPLATE;
            case "block" -> Kind.BLOCK;
            case "true", "false" -> Kind.BOOL;
            case "nil" -> Kind.NIL;
            default -> Kind.IDENTIFIER;
        };
        emit(k);
        return true;
    }

    private boolean atTerminator() {
        if (pos >= in.length()) {
            return true;
        }
        char c = in.charAt(pos);
        if (isSpace(c)) {
            return true;
        }
        switch (c) {
            case '.', ',', '|', ':', ')', '(' -> {
                return true;
            }
            default -> {
                return in.startsWith(RIGHT, pos);
            }
        }
    }

    private boolean number() {
        if (pos < in.length() && (in.charAt(pos) == '+' || in.charAt(pos) == '-')) {
            pos++;
        }
        String digits = "0123456789_";
        if (in.startsWith("0x", pos) || in.startsWith("0X", pos)) {
            pos += 2;
            digits = "0123456789abcdefABCDEF_";
        } else if (in.startsWith("0o", pos) || in.startsWith("0O", pos)) {
            pos += 2;
            digits = "01234567_";
        } else if (in.startsWith("0b", pos) || in.startsWith("0B", pos)) {
            pos += 2;
            digits = "01_";
        }
        accept(digits);
        if (pos < in.length() && in.charAt(pos) == '.') {
            pos++;
            accept(digits);
        }
        if (digits.length() == 11 && pos < in.length() && (in.charAt(pos) == 'e' || in.charAt(pos) == 'E')) {
            pos++;
            if (pos < in.length() && (in.charAt(pos) == '+' || in.charAt(pos) == '-')) {
                pos++;
            }
            accept("0123456789_");
        }
        if (pos < in.length() && in.charAt(pos) == 'i') {
            pos++;
        }
        if (pos < in.length() && isAlnum(in.charAt(pos))) {
            pos++;
            return error("bad number syntax: " + Quote.go(in.substring(start, pos)));
        }
        emit(Kind.NUMBER);
        return true;
    }

    private void accept(String valid) {
        while (pos < in.length() && valid.indexOf(in.charAt(pos)) >= 0) {
            pos++;
        }
    }

    /** Go's {@code %#U}. */
    static String unicode(int c) {
        return String.format("U+%04X '%s'", c, new String(Character.toChars(c)));
    }
}
