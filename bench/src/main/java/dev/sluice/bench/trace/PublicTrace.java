package dev.sluice.bench.trace;

import dev.sluice.model.hub.DownloadProgress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

/**
 * A public Mooncake-format trace that the benchmarks replay when no {@code --trace} is given: fetched
 * once from where its project publishes it, checked against its SHA-256, and kept in the cache
 * directory ({@code $XDG_CACHE_HOME/sluice/traces}, else {@code ~/.cache/sluice/traces}); later runs
 * read the cached copy and need no network.
 *
 * @param fileName the name of the cached copy
 * @param url where the trace is published (pinned to a commit, so the checksum holds)
 * @param sha256 the SHA-256 of the file, hex
 */
public record PublicTrace(String fileName, URI url, String sha256) {
  /**
   * The FAST'25 "synthetic" workload of the Mooncake project (kvcache-ai/Mooncake, Apache License
   * 2.0): 3,993 requests from public datasets, Poisson arrivals, 1,136,313 bytes.
   */
  public static final PublicTrace MOONCAKE_SYNTHETIC = new PublicTrace("mooncake_synthetic_trace.jsonl",
      URI.create("https://raw.githubusercontent.com/kvcache-ai/Mooncake/3cca71daccf2a7afb8fe3f0295358f70e3a69fdb/"
          + "FAST25-release/traces/synthetic_trace.jsonl"),
      "bd070915a98fc0ed264d7cfef2ce746002eb3076a695ec31ba2674c0111ec131");

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);

  /** The cache directory for traces: {@code $XDG_CACHE_HOME/sluice/traces}, else {@code ~/.cache/sluice/traces}. */
  public static Path defaultCacheDir(Map<String, String> env) {
    String xdg = env.get("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("sluice").resolve("traces");
  }

  /** This trace under {@code url} instead (a mirror; the checksum still has to match). */
  public PublicTrace at(URI mirror) {
    return new PublicTrace(fileName, mirror, sha256);
  }

  /**
   * The cached copy in {@code cacheDir}, downloaded first when it is not there. A download goes to a
   * temporary file and becomes the cached copy only once its checksum matches, so an interrupted or
   * corrupted download never passes for the trace.
   *
   * @throws UncheckedIOException when it cannot be fetched or its checksum differs; the message says
   *     what to do instead (pass {@code --trace FILE})
   */
  public Path fetch(Path cacheDir, DownloadProgress progress) {
    Path cached = cacheDir.resolve(fileName);
    try {
      if (Files.isRegularFile(cached) && sha256(cached).equals(sha256)) {
        progress.finished(fileName, Files.size(cached), true);
        return cached;
      }
      Files.createDirectories(cacheDir);
      Path part = Files.createTempFile(cacheDir, fileName, ".part");
      try {
        String got = download(part, progress);
        if (!got.equals(sha256)) {
          throw new IOException("the file at " + url + " has SHA-256 " + got + ", not " + sha256);
        }
        Files.move(part, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(part);
      }
      progress.finished(fileName, Files.size(cached), false);
      return cached;
    } catch (IOException e) {
      throw new UncheckedIOException("could not fetch the public trace " + fileName + " from " + url + " ("
          + reason(e) + "); download it yourself and pass --trace FILE", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new IOException("interrupted while fetching " + url, e));
    }
  }

  /** Streams the body into {@code part}, returning its SHA-256. */
  private String download(Path part, DownloadProgress progress) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NORMAL).build();
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(url).header("User-Agent", "sluice").GET().build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = r.body()) {
      if (r.statusCode() != 200) {
        throw new IOException("HTTP " + r.statusCode());
      }
      long total = r.headers().firstValueAsLong("Content-Length").orElse(-1L);
      MessageDigest digest = newDigest();
      try (InputStream in = new DigestInputStream(body, digest); OutputStream out = Files.newOutputStream(part)) {
        byte[] buffer = new byte[64 * 1024];
        long done = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
          out.write(buffer, 0, n);
          done += n;
          progress.update(fileName, done, total);
        }
      }
      return HexFormat.of().formatHex(digest.digest());
    }
  }

  /** The first message along the causes (a refused connection has none of its own), else the exception's name. */
  private static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) return t.getMessage();
    }
    return e.getClass().getSimpleName();
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest = newDigest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
