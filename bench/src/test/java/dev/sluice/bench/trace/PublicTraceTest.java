package dev.sluice.bench.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.model.hub.DownloadProgress;
import dev.sluice.testing.SharedData;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public trace fetched over real HTTP (a local server standing in for GitHub, serving the real
 * file from the shared test data), checked, cached and read back without the network.
 */
class PublicTraceTest {
  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private volatile byte[] served;

  @BeforeEach
  void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/synthetic_trace.jsonl", exchange -> {
      requests.incrementAndGet();
      exchange.sendResponseHeaders(200, served.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(served);
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/synthetic_trace.jsonl");
  }

  @Test
  void shouldDownloadTheTraceOnceCheckItAndReadTheCachedCopyAfter(@TempDir Path cache) throws IOException {
    served = Files.readAllBytes(SharedData.path("traces/mooncake_synthetic_trace.jsonl"));
    PublicTrace trace = PublicTrace.MOONCAKE_SYNTHETIC.at(url());

    Path first = trace.fetch(cache, DownloadProgress.NONE);
    Path second = trace.fetch(cache, DownloadProgress.NONE);

    assertThat(first).isEqualTo(cache.resolve("mooncake_synthetic_trace.jsonl")).isEqualTo(second);
    assertThat(Files.readAllBytes(first)).isEqualTo(served);
    assertThat(requests.get()).as("the second fetch reads the cache").isEqualTo(1);
    assertThat(MooncakeTrace.read(first).requests()).hasSize(3993);
    assertThat(cache).isDirectoryNotContaining("glob:**.part");
  }

  @Test
  void shouldRefuseAFileWhoseChecksumDiffersAndKeepNothingOfIt(@TempDir Path cache) {
    served = "{\"timestamp\": 0, \"input_length\": 10, \"output_length\": 1, \"hash_ids\": [0]}\n".getBytes();
    PublicTrace trace = PublicTrace.MOONCAKE_SYNTHETIC.at(url());

    assertThatThrownBy(() -> trace.fetch(cache, DownloadProgress.NONE)).isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("has SHA-256").hasMessageContaining("pass --trace FILE");
    assertThat(cache).isEmptyDirectory();
  }

  @Test
  void shouldReplaceACorruptedCachedCopy(@TempDir Path cache) throws IOException {
    served = Files.readAllBytes(SharedData.path("traces/mooncake_synthetic_trace.jsonl"));
    Files.writeString(cache.resolve("mooncake_synthetic_trace.jsonl"), "truncated");

    Path fetched = PublicTrace.MOONCAKE_SYNTHETIC.at(url()).fetch(cache, DownloadProgress.NONE);

    assertThat(requests.get()).isEqualTo(1);
    assertThat(Files.readAllBytes(fetched)).isEqualTo(served);
  }

  @Test
  void shouldSayWhatToDoWhenTheTraceCannotBeFetched(@TempDir Path cache) throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    URI nowhere = URI.create("http://127.0.0.1:" + closedPort + "/synthetic_trace.jsonl");

    assertThatThrownBy(() -> PublicTrace.MOONCAKE_SYNTHETIC.at(nowhere).fetch(cache, DownloadProgress.NONE))
        .isInstanceOf(UncheckedIOException.class).hasMessageContaining(nowhere.toString())
        .hasMessageContaining("pass --trace FILE");
  }

  @Test
  void shouldKeepTracesUnderTheUsersCacheDirectory() {
    assertThat(PublicTrace.defaultCacheDir(Map.of("XDG_CACHE_HOME", "/xdg"))).isEqualTo(Path.of("/xdg/sluice/traces"));
    assertThat(PublicTrace.defaultCacheDir(Map.of()))
        .isEqualTo(Path.of(System.getProperty("user.home"), ".cache", "sluice", "traces"));
  }
}
