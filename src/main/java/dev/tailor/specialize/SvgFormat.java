package dev.tailor.specialize;

/** Text and numbers as they go into the document: escaped, and written the same way on every JVM. */
public final class SvgFormat {

    private SvgFormat() {}

    /**
     * Escapes XML markup characters, quotes included so that the result is safe in attributes too.
     * Characters XML 1.0 forbids (control characters, lone surrogates) are dropped: one of them in a
     * subnet name would otherwise make the whole document unreadable.
     */
    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    if (allowedInXml(c)) {
                        out.appendCodePoint(c);
                    }
                }
            }
        }
        return out.toString();
    }

    private static boolean allowedInXml(int c) {
        return c == 0x9
                || c == 0xA
                || c == 0xD
                || (c >= 0x20 && c <= 0xD7FF)
                || (c >= 0xE000 && c <= 0xFFFD)
                || (c >= 0x10000 && c <= 0x10FFFF);
    }

    /**
     * A pixel coordinate rounded to one decimal, without a trailing ".0" or a "-0": a tenth of a
     * pixel is below what any screen shows, and shorter numbers keep 500 points small. Integer
     * arithmetic rather than a formatter, so that no locale can put a comma in.
     */
    public static String coordinate(double value) {
        long tenths = Math.round(value * 10);
        StringBuilder out = new StringBuilder(8);
        if (tenths < 0) {
            out.append('-');
            tenths = -tenths;
        }
        out.append(tenths / 10);
        if (tenths % 10 != 0) {
            out.append('.').append(tenths % 10);
        }
        return out.toString();
    }
}
