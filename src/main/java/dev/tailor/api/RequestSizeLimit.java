package dev.tailor.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every request body Tailor takes is a small JSON document (a device, a budget, one measurement),
 * and reads, specializations among them, may be open to anyone: so a body over the limit is
 * refused with 413 before it is read when its length is declared, and as soon as it passes the
 * limit when it comes chunked, instead of being parsed whole into memory first.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestSizeLimit extends OncePerRequestFilter {

    /** Raised while reading a chunked body that passes the limit; answered 413 by {@link ApiProblemHandler}. */
    static final class BodyTooLarge extends IOException {
        BodyTooLarge(long limit) {
            super(detail(limit));
        }
    }

    private final long maxBytes;
    private final JsonMapper json;

    RequestSizeLimit(@Value("${tailor.api.max-request-bytes:1048576}") long maxBytes, JsonMapper json) {
        if (maxBytes < 1) {
            throw new dev.tailor.InvalidSettingException(
                    "tailor.api.max-request-bytes", "must be at least 1; got " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.json = json;
    }

    static String detail(long limit) {
        return "the request body is larger than this service takes (" + limit
                + " bytes, tailor.api.max-request-bytes); every request body here is a small JSON document";
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > maxBytes) {
            // the client is told at once; Tomcat drains what it sent up to its swallow limit, then closes
            response.setHeader("Connection", "close");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("type", Problems.TOO_LARGE.toString());
            body.put("title", "Request body too large");
            body.put("status", HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
            body.put("detail", detail(maxBytes));
            body.put("instance", request.getRequestURI());
            body.put("errors", List.of(Map.of("field", "body", "message", detail(maxBytes))));
            response.setStatus(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
            response.setContentType("application/problem+json");
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            response.getWriter().write(json.writeValueAsString(body));
            return;
        }
        chain.doFilter(request.getContentLengthLong() < 0 ? new Limited(request, maxBytes) : request, response);
    }

    /** A request whose body stream fails once more than {@code limit} bytes were read from it. */
    private static final class Limited extends HttpServletRequestWrapper {

        private final long limit;
        private ServletInputStream stream;

        Limited(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new Counted(super.getInputStream(), limit);
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() throws IOException {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }
    }

    private static final class Counted extends ServletInputStream {

        private final ServletInputStream in;
        private final long limit;
        private long read;

        Counted(ServletInputStream in, long limit) {
            this.in = in;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws BodyTooLarge {
            read += n;
            if (read > limit) {
                throw new BodyTooLarge(limit);
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
