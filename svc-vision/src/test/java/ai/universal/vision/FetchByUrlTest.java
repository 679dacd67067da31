package ai.universal.vision;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import ai.universal.vision.VisionHarness.Reply;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import static ai.universal.vision.TestImages.png;
import static ai.universal.vision.VisionHarness.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@code src}: off by default; when on, only allowed hosts, only public addresses (loopback allowed here only because
 * the test enables it), every redirect re-checked, size limit.
 */
class FetchByUrlTest {
    private static HttpServer origin;
    private static VisionHarness vision;
    private static String base;

    @BeforeAll
    static void start() throws IOException {
        byte[] image = png(TestImages.scene(120, 80, 1));
        origin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        origin.createContext("/photo.png", ex -> {
            ex.getResponseHeaders().add("Content-Type", "image/png");
            ex.sendResponseHeaders(200, image.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(image);
            }
        });
        origin.createContext("/chunked.png", ex -> {
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(image, 0, 100);
                out.write(image, 100, image.length - 100);
            }
        });
        origin.createContext("/big.png", ex -> {
            ex.sendResponseHeaders(200, 300_000);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(new byte[300_000]);
            }
        });
        origin.createContext("/to-metadata", ex -> redirect(ex, "http://169.254.169.254/latest/meta-data/"));
        origin.createContext("/to-photo", ex -> redirect(ex, "/photo.png"));
        origin.createContext("/to-other-host", ex -> redirect(ex, "http://localhost:" + origin.getAddress().getPort()
                + "/photo.png"));
        origin.createContext("/missing", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        origin.start();
        base = "http://127.0.0.1:" + origin.getAddress().getPort();
        vision = VisionHarness.start(Map.of("VISION_FETCH_ENABLED", "true", "VISION_FETCH_ALLOWED_HOSTS", "127.0.0.1",
                                            "VISION_FETCH_ALLOW_LOOPBACK", "true", "VISION_FETCH_MAX_BYTES", "200000"),
                                     kind -> {
                                     });
    }

    private static void redirect(com.sun.net.httpserver.HttpExchange ex, String location) throws IOException {
        ex.getResponseHeaders().add("Location", location);
        ex.sendResponseHeaders(302, -1);
        ex.close();
    }

    @AfterAll
    static void stop() {
        vision.close();
        origin.stop(0);
    }

    private static Reply process(String url) {
        return vision.postEmpty("/v1/vision/info?src=" + query(url));
    }

    @Test
    void fetchesAnAllowedHostAndFollowsASafeRedirect() {
        Reply r = process(base + "/photo.png");
        assertEquals(200, r.status(), r.text());
        assertEquals(120, r.json().get("width").asInt());
        Reply redirected = process(base + "/to-photo");
        assertEquals(200, redirected.status(), redirected.text());
        Reply chunked = process(base + "/chunked.png");
        assertEquals(200, chunked.status(), chunked.text());
    }

    @Test
    void redirectToCloudMetadataIsForbidden() {
        Reply r = process(base + "/to-metadata");
        assertEquals(403, r.status(), r.text());
        JsonNode p = r.json();
        assertEquals("fetch_forbidden", p.get("code").asText());
    }

    @Test
    void redirectToAHostOutsideTheAllowListIsForbidden() {
        Reply r = process(base + "/to-other-host");
        assertEquals(403, r.status(), r.text());
        assertEquals("The host 'localhost' is not in VISION_FETCH_ALLOWED_HOSTS", r.json().get("detail").asText());
    }

    @Test
    void otherSchemesAndLargeOrMissingSourcesAreRefused() {
        Reply file = process("file:///etc/passwd");
        assertEquals(403, file.status());
        assertEquals("Only http and https URLs are fetched, not 'file'", file.json().get("detail").asText());
        assertEquals("fetch_too_large", process(base + "/big.png").json().get("code").asText());
        Reply missing = process(base + "/missing");
        assertEquals(422, missing.status());
        assertEquals("The image could not be fetched: the source answered HTTP 404", missing.json().get("detail").asText());
    }

    @Test
    void addressRulesRefuseEveryNonPublicRange() throws Exception {
        RemoteImageFetcher strict = new RemoteImageFetcher(new RemoteImageFetcher.Policy(
                true, List.of("*"), 1000, Duration.ofSeconds(1), 0, false, false));
        assertEquals("loopback", strict.forbidden(InetAddress.getByName("127.0.0.1")));
        assertEquals("loopback", strict.forbidden(InetAddress.getByName("::1")));
        assertEquals("private", strict.forbidden(InetAddress.getByName("10.1.2.3")));
        assertEquals("private", strict.forbidden(InetAddress.getByName("192.168.0.1")));
        assertEquals("private", strict.forbidden(InetAddress.getByName("172.16.5.4")));
        assertEquals("link-local", strict.forbidden(InetAddress.getByName("169.254.169.254")));
        assertEquals("link-local", strict.forbidden(InetAddress.getByName("fe80::1")));
        assertEquals("private (unique local)", strict.forbidden(InetAddress.getByName("fd00::1")));
        assertEquals("private (carrier-grade NAT)", strict.forbidden(InetAddress.getByName("100.64.0.1")));
        assertEquals("wildcard", strict.forbidden(InetAddress.getByName("0.0.0.0")));
        assertEquals("reserved", strict.forbidden(InetAddress.getByName("240.0.0.1")));
        assertEquals("multicast", strict.forbidden(InetAddress.getByName("224.0.0.1")));
        assertEquals("link-local", strict.forbidden(InetAddress.getByName("::ffff:169.254.169.254")));
        assertEquals("loopback", strict.forbidden(InetAddress.getByName("64:ff9b::7f00:1")));
        assertEquals("private", strict.forbidden(InetAddress.getByName("2002:0a00:0001::1")));
        assertNull(strict.forbidden(InetAddress.getByName("93.184.215.14")));
        assertNull(strict.forbidden(InetAddress.getByName("2606:4700::1111")));
    }

    @Test
    void fetchingIsOffByDefault() {
        Reply r = VisionHarness.shared().postEmpty("/v1/vision/info?src=" + query(base + "/photo.png"));
        assertEquals(403, r.status(), r.text());
        assertEquals("fetch_disabled", r.json().get("code").asText());
    }
}
