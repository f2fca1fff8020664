package dev.tailor.specialize;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SvgFormatTest {

    @Test
    void coordinatesHaveOneDecimalAtMost() {
        assertThat(SvgFormat.coordinate(72)).isEqualTo("72");
        assertThat(SvgFormat.coordinate(123.456)).isEqualTo("123.5");
        assertThat(SvgFormat.coordinate(99.96)).isEqualTo("100");
        assertThat(SvgFormat.coordinate(-0.04)).isEqualTo("0");
        assertThat(SvgFormat.coordinate(-3.25)).isEqualTo("-3.2");
        assertThat(SvgFormat.coordinate(0.05)).isEqualTo("0.1");
    }

    @Test
    void escapesEveryMarkupCharacter() {
        assertThat(SvgFormat.escape("a<b>&\"c\"'d'")).isEqualTo("a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;");
        assertThat(SvgFormat.escape("top-1 ≥ 90 %, 🙂")).isEqualTo("top-1 ≥ 90 %, 🙂");
        assertThat(SvgFormat.escape("tab\there\u0000")).isEqualTo("tab\there");
    }
}
