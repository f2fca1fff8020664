package dev.tailor.security;

/** The operator key the test contexts accept (config/application.yml of the tests sets it). */
public final class TestKeys {

    public static final String OPERATOR = "tlr_operator-key-of-the-test-suite-0123456789";

    private TestKeys() {}
}
