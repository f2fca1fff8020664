package dev.tailor.api;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Tomcat answers some requests before Spring sees them (a path with bad percent-encoding, say);
 * its default page is HTML. This valve writes the same problem body the API uses instead.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        String title = status >= 500 ? "Internal error" : "Bad request";
        String detail = status >= 500
                ? "The server failed to handle this request."
                : status == 400
                        ? "The request could not be parsed: check the URL's percent-encoding and the request line."
                        : "The request was refused before it reached the API (HTTP " + status
                                + "): check its size, request line and headers.";
        String body = "{\"type\":\"" + Problems.typeFor(status) + "\",\"title\":\"" + title + "\",\"status\":" + status
                + ",\"detail\":\"" + detail + "\"}";
        try {
            response.setContentType("application/problem+json");
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(body);
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client has gone or the response is committed; nothing more can be said
        }
    }
}
