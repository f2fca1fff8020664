package dev.tailor.security;

/** What an operation needs, as the rules in {@link AccessRules} assign it. */
enum Access {
    /** anyone: health probes, the OpenAPI description, Swagger UI */
    OPEN("no key"),
    /** anyone while reads are open; a viewer or operator key while they are keyed */
    READ("a viewer key when the server keeps reads keyed (tailor.security.reads=keyed, as in Helm); otherwise"
            + " no key"),
    /** an operator key */
    OPERATOR("an operator key"),
    /** an agent key bound to the device named in the path */
    AGENT_OF_DEVICE("an agent key bound to the device in the path"),
    /** ONNX models and plots as {@link #READ} (agent keys too); checkpoints need an operator key */
    ARTIFACT("checkpoints: an operator key; ONNX models and other artifacts: as any read, and agent keys may"
            + " fetch them too");

    private final String documented;

    Access(String documented) {
        this.documented = documented;
    }

    String documented() {
        return documented;
    }
}
