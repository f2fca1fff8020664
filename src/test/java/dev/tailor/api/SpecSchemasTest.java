package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The checker the API tests lean on finds what it is there to find (no server needed). */
class SpecSchemasTest {

    private static final String DEVICE = """
            {"name":"pi","description":null,"runtime":"onnxruntime","executionProvider":"cpu",
             "peakGflops":null,"memoryGbps":null,"measurement":"agent","createdAt":"2024-05-01T10:00:00Z"}""";

    @Test
    void aBodyAsDeclaredConforms() {
        assertThat(SpecSchemas.responseViolations("createDevice", 201, "application/json", DEVICE))
                .isEmpty();
        assertThat(SpecSchemas.responseViolations("listDevices", 200, "application/json", "[" + DEVICE + "]"))
                .isEmpty();
    }

    @Test
    void aStatusTheOperationDoesNotDeclareIsNamed() {
        assertThat(SpecSchemas.responseViolations("createDevice", 200, "application/json", DEVICE))
                .singleElement()
                .asString()
                .contains("createDevice answered 200, a status it does not declare")
                .contains("201");
        // a problem status falls under its class
        assertThat(SpecSchemas.responseViolations("createDevice", 409, "application/problem+json", "{}"))
                .isEmpty();
    }

    @Test
    void aContentTypeTheStatusDoesNotDeclareIsNamed() {
        assertThat(SpecSchemas.responseViolations("createDevice", 201, "text/plain", "pi"))
                .singleElement()
                .asString()
                .contains("text/plain");
        assertThat(SpecSchemas.responseViolations("getArtifact", 304, null, "")).isEmpty();
    }

    @Test
    void aFieldTheSpecDoesNotNameAWrongTypeAndABadFormatAreEachNamed() {
        assertThat(SpecSchemas.responseViolations(
                        "createDevice", 201, "application/json", DEVICE.replace("\"name\":\"pi\"", "\"nick\":\"pi\"")))
                .singleElement()
                .asString()
                .contains("nick");
        assertThat(SpecSchemas.violations(
                        "DeviceResponse", json(DEVICE.replace("null,\"memoryGbps\"", "\"x\",\"memoryGbps\""))))
                .isNotEmpty();
        assertThat(SpecSchemas.violations("DeviceResponse", json(DEVICE.replace("2024-05-01T10:00:00Z", "yesterday"))))
                .isNotEmpty();
        // free-form objects stay open
        assertThat(SpecSchemas.violations(
                        "SupernetResponse", json("{\"searchSpace\":{\"anything\":1},\"state\":\"ready\"}")))
                .isEmpty();
    }

    @Test
    void eventDataIsCheckedEventByEvent() {
        String stream = "event:progress\ndata:{\"state\":\"running\",\"done\":1}\n\n:heartbeat\n\n"
                + "event:progress\ndata:{\"state\":\"finished\",\"done\":2}\n\n";
        assertThat(SpecSchemas.eventDataViolations("CatalogueBuildResponse", stream))
                .singleElement()
                .asString()
                .contains("state");
    }

    @Test
    void aNameTheSpecDoesNotHaveIsAMistakeInTheTest() {
        assertThatThrownBy(() -> SpecSchemas.responseViolations("noSuchOperation", 200, null, ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SpecSchemas.violations("NoSuchSchema", json("{}")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static tools.jackson.databind.JsonNode json(String text) {
        return tools.jackson.databind.json.JsonMapper.builder().build().readTree(text);
    }
}
