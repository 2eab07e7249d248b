package dev.sluice.model.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Downloads a model snapshot from the Hugging Face hub into the standard hub cache ({@link HubCache}),
 * the way huggingface_hub's {@code snapshot_download} does:
 * <ol>
 *   <li>{@code GET /api/models/ORG/NAME/revision/REV} names the commit and the repository's files;</li>
 *   <li>for each file a model needs, {@code HEAD /ORG/NAME/resolve/COMMIT/PATH} without following
 *       redirects gives {@code X-Repo-Commit}, the ETag ({@code X-Linked-Etag} for LFS files, whose
 *       {@code Location} points at the storage) and the size ({@code X-Linked-Size} or Content-Length);</li>
 *   <li>the file is fetched into {@code blobs/ETAG.incomplete}, resumed with a {@code Range} request
 *       when a part is already there, checked (an LFS ETag is the SHA-256 of the contents, a plain one
 *       the git blob SHA-1), renamed to {@code blobs/ETAG} and linked from {@code snapshots/COMMIT/}.</li>
 * </ol>
 * Sharded checkpoints are fetched through {@code model.safetensors.index.json}. {@code HF_HUB_OFFLINE=1}
 * (or an unreachable hub with the revision already cached) answers from the cache alone.
 */
public final class HubClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String INDEX = "model.safetensors.index.json";
  /** Files besides the weights that a served model uses (config, tokenizer, chat template, license). */
  private static final Set<String> MODEL_FILES = Set.of("config.json", "generation_config.json", "tokenizer.json",
      "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja", "chat_template.json", INDEX);

  private final HubSettings settings;
  private final HubCache cache;
  private final HttpClient http;
  private final Consumer<String> log;

  public HubClient(HubSettings settings, Consumer<String> log) {
    this.settings = settings;
    this.cache = new HubCache(settings.cacheDir());
    this.log = log;
    this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(10)).build();
  }

  public HubCache cache() {
    return cache;
  }

  /** Thrown for anything the user must act on: not found, gated, offline without a cached copy, bad checksum. */
  public static final class HubException extends RuntimeException {
    public HubException(String message) {
      super(message);
    }

    public HubException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The snapshot folder of {@code id}, downloading what is missing (unless offline). */
  public Path snapshot(HubModelId id, DownloadProgress progress) {
    try {
      if (settings.offline()) {
        return cached(id, "HF_HUB_OFFLINE is set");
      }
      RepoInfo info;
      try {
        info = repoInfo(id);
      } catch (ConnectException | HttpTimeoutException e) {
        Optional<Path> dir = cachedIfComplete(id);
        if (dir.isPresent()) {
          log.accept("Cannot reach " + settings.endpoint() + "; using the cached snapshot " + dir.get());
          return dir.get();
        }
        throw new HubException("cannot reach the hub at " + settings.endpoint() + " (" + e.getClass().getSimpleName()
            + ") and " + id + " is not in the cache " + cache.root() + " — set HF_ENDPOINT, or pull it where the hub "
            + "is reachable"); // no cause: the CLI prints a failure's root cause, and this line is the useful one
      }
      log.accept("Pulling " + id + " (commit " + info.commit() + ") into " + cache.repoDir(id));
      List<String> files = modelFiles(info.files());
      if (files.stream().noneMatch(f -> f.equals("config.json"))) {
        throw new HubException(id + " has no config.json: not a transformers model repository");
      }
      if (files.contains(INDEX)) {
        download(id, info.commit(), INDEX, progress);
        files = withShards(files, cache.snapshot(id, info.commit()).resolve(INDEX));
      }
      for (String f : files) {
        if (!f.equals(INDEX)) {
          download(id, info.commit(), f, progress);
        }
      }
      cache.writeRef(id, info.commit());
      return cache.snapshot(id, info.commit());
    } catch (IOException e) {
      throw new UncheckedIOException("pulling " + id + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HubException("interrupted while pulling " + id, e);
    }
  }

  private Path cached(HubModelId id, String why) throws IOException {
    return cachedIfComplete(id).orElseThrow(() -> new HubException(why + " and " + id + " is not in the hub cache "
        + cache.root() + " (pull it first, or unset HF_HUB_OFFLINE)"));
  }

  private Optional<Path> cachedIfComplete(HubModelId id) throws IOException {
    Optional<String> commit = cache.commitOf(id);
    if (commit.isEmpty()) {
      return Optional.empty();
    }
    Path dir = cache.snapshot(id, commit.get());
    return Files.isRegularFile(dir.resolve("config.json")) ? Optional.of(dir) : Optional.empty();
  }

  record RepoInfo(String commit, List<String> files) {}

  private RepoInfo repoInfo(HubModelId id) throws IOException, InterruptedException {
    URI uri = URI.create(settings.endpoint() + "/api/models/" + id.repo() + "/revision/"
        + URLEncoder.encode(id.revision(), StandardCharsets.UTF_8));
    HttpResponse<byte[]> r = http.send(authorized(HttpRequest.newBuilder(uri).GET()).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    check(r.statusCode(), id, "repository info");
    JsonNode n = JSON.readTree(r.body());
    String commit = n.path("sha").asText(null);
    if (commit == null) {
      throw new HubException("the hub's answer for " + id + " names no commit ('sha')");
    }
    List<String> files = new ArrayList<>();
    n.path("siblings").forEach(s -> files.add(s.path("rfilename").asText()));
    return new RepoInfo(commit, files);
  }

  /** What to fetch: the model files, and the weights as safetensors (shards come from the index). */
  static List<String> modelFiles(List<String> all) {
    List<String> picked = new ArrayList<>();
    boolean sharded = all.contains(INDEX);
    for (String f : all) {
      boolean license = !f.contains("/") && f.toUpperCase(Locale.ROOT).startsWith("LICENSE");
      if (MODEL_FILES.contains(f) || license || (!sharded && f.equals("model.safetensors"))) {
        picked.add(f);
      }
    }
    return picked;
  }

  private static List<String> withShards(List<String> files, Path index) throws IOException {
    Set<String> all = new LinkedHashSet<>(files);
    JSON.readTree(index.toFile()).path("weight_map").forEach(shard -> all.add(shard.asText()));
    return new ArrayList<>(all);
  }

  /** @param redirected whether {@code location} is the storage an LFS file redirects to (no token goes there) */
  record FileMetadata(String commit, String etag, long size, URI location, boolean redirected) {}

  /** HEAD without redirects, following only relative ones (a renamed repository), as huggingface_hub does. */
  private FileMetadata metadata(HubModelId id, String commit, String path) throws IOException, InterruptedException {
    URI uri = URI.create(settings.endpoint() + "/" + id.repo() + "/resolve/" + commit + "/" + encodePath(path));
    for (int hops = 0; hops < 10; hops++) {
      HttpResponse<Void> r = http.send(authorized(HttpRequest.newBuilder(uri)
          .method("HEAD", HttpRequest.BodyPublishers.noBody()).header("Accept-Encoding", "identity")).build(),
          HttpResponse.BodyHandlers.discarding());
      var h = r.headers();
      Optional<String> location = h.firstValue("Location");
      if (r.statusCode() >= 300 && r.statusCode() < 400 && location.isPresent()
          && !URI.create(location.get()).isAbsolute()) {
        uri = uri.resolve(location.get());
        continue;
      }
      check(r.statusCode() >= 300 && r.statusCode() < 400 ? 200 : r.statusCode(), id, path);
      String etag = h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag"))
          .orElseThrow(() -> new HubException(path + " of " + id + " has no ETag: cannot cache it reliably"));
      long size = h.firstValue("X-Linked-Size").or(() -> h.firstValue("Content-Length")).map(Long::parseLong).orElse(-1L);
      URI target = location.map(uri::resolve).orElse(uri);
      return new FileMetadata(h.firstValue("X-Repo-Commit").orElse(commit), normalizeEtag(etag), size, target,
          location.isPresent());
    }
    throw new HubException("too many redirects for " + path + " of " + id);
  }

  private void download(HubModelId id, String commit, String path, DownloadProgress progress)
      throws IOException, InterruptedException {
    FileMetadata meta = metadata(id, commit, path);
    Path blob = cache.blob(id, meta.etag());
    if (Files.isRegularFile(blob) && (meta.size() < 0 || Files.size(blob) == meta.size())) {
      cache.link(id, commit, path, meta.etag());
      progress.finished(path, Files.size(blob), true);
      return;
    }
    Files.createDirectories(blob.getParent());
    Path part = cache.incomplete(id, meta.etag());
    long have = Files.isRegularFile(part) ? Files.size(part) : 0;
    if (meta.size() >= 0 && have > meta.size()) {
      Files.delete(part);
      have = 0;
    }
    if (meta.size() < 0 || have < meta.size()) {
      fetch(id, path, meta, part, have, progress);
    }
    verify(id, path, meta, part);
    Files.move(part, blob, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    cache.link(id, commit, path, meta.etag());
    progress.finished(path, Files.size(blob), false);
  }

  private void fetch(HubModelId id, String path, FileMetadata meta, Path part, long have, DownloadProgress progress)
      throws IOException, InterruptedException {
    HttpRequest.Builder get = HttpRequest.newBuilder(meta.location()).GET();
    if (!meta.redirected()) {
      authorized(get); // the token goes to the hub only, never to the storage it redirects to
    } else {
      get.header("User-Agent", "sluice/0.1");
    }
    if (have > 0) {
      get.header("Range", "bytes=" + have + "-");
    }
    HttpResponse<InputStream> r = http.send(get.build(), HttpResponse.BodyHandlers.ofInputStream());
    long done;
    StandardOpenOption mode;
    if (r.statusCode() == 206) {
      done = have;
      mode = StandardOpenOption.APPEND;
      if (have > 0) {
        log.accept("Resuming " + path + " at byte " + have);
      }
    } else {
      check(r.statusCode(), id, path);
      done = 0;
      mode = StandardOpenOption.TRUNCATE_EXISTING;
    }
    try (InputStream in = r.body();
        OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
      byte[] buf = new byte[1 << 16];
      progress.update(path, done, meta.size());
      for (int n; (n = in.read(buf)) > 0; ) {
        out.write(buf, 0, n);
        done += n;
        progress.update(path, done, meta.size());
      }
    } catch (IOException e) {
      throw new IOException(path + " broke off after " + done + " bytes (" + e.getMessage() + "); run again to resume",
          e);
    }
    if (meta.size() >= 0 && done != meta.size()) {
      throw new IOException(path + " ended after " + done + " of " + meta.size() + " bytes (run again to resume)");
    }
  }

  /** An LFS ETag is the SHA-256 of the file; a plain 40-hex ETag is its git blob SHA-1. */
  private static void verify(HubModelId id, String path, FileMetadata meta, Path part) throws IOException {
    String etag = meta.etag().toLowerCase(Locale.ROOT);
    String actual;
    if (etag.matches("[0-9a-f]{64}")) {
      actual = digest("SHA-256", null, part);
    } else if (etag.matches("[0-9a-f]{40}")) {
      actual = digest("SHA-1", ("blob " + Files.size(part) + "\0").getBytes(StandardCharsets.US_ASCII), part);
    } else {
      return; // an ETag of another shape carries no checksum
    }
    if (!actual.equals(etag)) {
      Files.deleteIfExists(part);
      throw new HubException("checksum mismatch for " + path + " of " + id + ": expected " + etag + ", got " + actual
          + " (the partial file was removed; run again)");
    }
  }

  private static String digest(String algorithm, byte[] prefix, Path file) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance(algorithm);
      if (prefix != null) {
        md.update(prefix);
      }
      try (InputStream in = Files.newInputStream(file)) {
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
          md.update(buf, 0, n);
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void check(int status, HubModelId id, String what) {
    if (status >= 200 && status < 300) {
      return;
    }
    String hint = switch (status) {
      case 401, 403 -> settings.token() == null
          ? " — the repository is gated or private: accept its terms on the hub and set HF_TOKEN"
          : " — HF_TOKEN was refused for this repository (gated: accept its terms on the hub first)";
      case 404 -> " — no such repository, revision or file";
      default -> "";
    };
    throw new HubException("the hub answered " + status + " for " + what + " of " + id + hint);
  }

  private HttpRequest.Builder authorized(HttpRequest.Builder b) {
    b.header("User-Agent", "sluice/0.1");
    if (settings.token() != null) {
      b.header("Authorization", "Bearer " + settings.token());
    }
    return b;
  }

  static String normalizeEtag(String etag) {
    String e = etag.trim();
    if (e.startsWith("W/")) {
      e = e.substring(2);
    }
    return e.replace("\"", "");
  }

  private static String encodePath(String path) {
    StringBuilder b = new StringBuilder();
    for (String part : path.split("/")) {
      if (b.length() > 0) b.append('/');
      b.append(URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return b.toString();
  }
}
