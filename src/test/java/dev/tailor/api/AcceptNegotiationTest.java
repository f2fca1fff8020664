package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.http.MediaType;

class AcceptNegotiationTest {

    private static final List<MediaType> SPECIALIZATION = List.of(
            MediaType.APPLICATION_JSON,
            MediaType.APPLICATION_OCTET_STREAM,
            MediaType.parseMediaType("application/vnd.onnx"));
    private static final List<MediaType> PARETO =
            List.of(MediaType.parseMediaType("image/svg+xml"), MediaType.APPLICATION_JSON);

    @ParameterizedTest(name = "Accept: {0}")
    @CsvSource(
            delimiter = '|',
            nullValues = "none",
            value = {
                "none | application/json",
                "*/* | application/json",
                "application/* | application/json",
                "application/json | application/json",
                "application/octet-stream | application/octet-stream",
                "application/vnd.onnx | application/vnd.onnx",
                // a q on the only type named does not turn it into JSON
                "application/octet-stream;q=0.9 | application/octet-stream",
                "'application/octet-stream;q=0.9, application/json' | application/json",
                "'application/octet-stream;q=0.9, application/json;q=0.5' | application/octet-stream",
                // q=0: not acceptable at all
                "'application/json;q=0, application/octet-stream;q=0.5' | application/octet-stream",
                // a tie goes to the type listed first
                "'application/octet-stream, application/json' | application/octet-stream",
                "'application/json, application/octet-stream' | application/json",
                // the type named beats the wildcard that also covers JSON
                "'application/octet-stream, */*;q=0.8' | application/octet-stream",
                "'*/*, application/octet-stream' | application/octet-stream",
                "not a media type | application/json"
            })
    void aSpecializationIsAnsweredInTheRepresentationAskedFor(String accept, String expected) {
        assertThat(AcceptNegotiation.choose(accept, SPECIALIZATION)).isEqualTo(MediaType.parseMediaType(expected));
    }

    @ParameterizedTest(name = "Accept: {0}")
    @CsvSource(
            delimiter = '|',
            nullValues = "none",
            value = {
                "none | image/svg+xml",
                "*/* | image/svg+xml",
                "image/* | image/svg+xml",
                "application/json | application/json",
                "application/json;q=0.9 | application/json",
                "application/json; charset=utf-8 | application/json",
                // the plot is not an application/* type: the data is what such a client can take
                "application/* | application/json",
                "'image/svg+xml;q=0.5, application/json' | application/json",
                "'application/json;q=0.5, */*' | image/svg+xml"
            })
    void aParetoPlotIsAnsweredInTheRepresentationAskedFor(String accept, String expected) {
        assertThat(AcceptNegotiation.choose(accept, PARETO)).isEqualTo(MediaType.parseMediaType(expected));
    }
}
