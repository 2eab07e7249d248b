package dev.sluice.model.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP server with the hub's URL layout and headers, for one model repository:
 * <ul>
 *   <li>{@code GET /api/models/ORG/NAME/revision/REV}: {@code {"sha": COMMIT, "siblings": [{"rfilename": ...}]}};</li>
 *   <li>{@code HEAD|GET /ORG/NAME/resolve/REV/PATH}: small files answer 200 with {@code ETag} = git blob SHA-1,
 *       {@code X-Repo-Commit}, Content-Length; LFS files ({@code *.safetensors}) answer 302 with
 *       {@code Location} on the storage path, {@code X-Linked-Etag} = SHA-256, {@code X-Linked-Size};</li>
 *   <li>{@code GET /storage/SHA256}: the bytes, honouring {@code Range: bytes=N-} with 206.</li>
 * </ul>
 * Revisions {@code main}, a tag {@code v1} and the commit hash itself resolve to the one commit. A gated
 * repository answers 401 without {@code Authorization: Bearer TOKEN}.
 */
final class FakeHub implements AutoCloseable {
  record Request(String method, String path, String range, String authorization) {}

  final String repo;
  final String commit;
  final Map<String, byte[]> files = new TreeMap<>();
  final List<Request> requests = new CopyOnWriteArrayList<>();
  /** Storage downloads to cut after this many bytes, once each (to test resuming). */
  final Map<String, Long> cutOnce = new ConcurrentHashMap<>();
  /** Storage paths whose bytes are served corrupted. */
  final Set<String> corrupt = ConcurrentHashMap.newKeySet();
  volatile String requiredToken;
  private final HttpServer server;

  FakeHub(String repo, Map<String, byte[]> files) throws IOException {
    this.repo = repo;
    this.files.putAll(files);
    this.commit = gitSha1(String.join(",", files.keySet()).getBytes(StandardCharsets.UTF_8));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    requests.add(new Request(ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("Range"), auth));
    try (ex) {
      if (path.startsWith("/storage/")) {
        storage(ex, path.substring("/storage/".length()));
        return;
      }
      if (requiredToken != null && !("Bearer " + requiredToken).equals(auth)) {
        send(ex, 401, ("{\"error\": \"Access to model " + repo + " is restricted.\"}").getBytes(StandardCharsets.UTF_8));
        return;
      }
      String api = "/api/models/" + repo + "/revision/";
      String resolve = "/" + repo + "/resolve/";
      if (path.startsWith(api)) {
        if (!knownRevision(path.substring(api.length()))) {
          send(ex, 404, "{\"error\": \"Revision Not Found\"}".getBytes(StandardCharsets.UTF_8));
          return;
        }
        StringBuilder json = new StringBuilder("{\"id\": \"" + repo + "\", \"sha\": \"" + commit + "\", \"siblings\": [");
        String sep = "";
        for (String f : files.keySet()) {
          json.append(sep).append("{\"rfilename\": \"").append(f).append("\"}");
          sep = ", ";
        }
        send(ex, 200, json.append("]}").toString().getBytes(StandardCharsets.UTF_8));
      } else if (path.startsWith(resolve)) {
        String rest = path.substring(resolve.length());
        int slash = rest.indexOf('/');
        String file = rest.substring(slash + 1);
        if (!knownRevision(rest.substring(0, slash)) || !files.containsKey(file)) {
          ex.getResponseHeaders().set("X-Error-Code", "EntryNotFound");
          send(ex, 404, new byte[0]);
          return;
        }
        byte[] bytes = files.get(file);
        ex.getResponseHeaders().set("X-Repo-Commit", commit);
        if (file.endsWith(".safetensors")) {
          String sha = sha256(bytes);
          ex.getResponseHeaders().set("ETag", "\"" + gitSha1(("oid sha256:" + sha).getBytes(StandardCharsets.UTF_8)) + "\"");
          ex.getResponseHeaders().set("X-Linked-Etag", "\"" + sha + "\"");
          ex.getResponseHeaders().set("X-Linked-Size", Long.toString(bytes.length));
          ex.getResponseHeaders().set("Location", endpoint() + "/storage/" + sha + "?X-Amz-Signature=abc");
          ex.sendResponseHeaders(302, -1);
        } else {
          ex.getResponseHeaders().set("ETag", "\"" + gitSha1(bytes) + "\"");
          if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Long.toString(bytes.length));
            ex.sendResponseHeaders(200, -1);
          } else {
            send(ex, 200, bytes);
          }
        }
      } else {
        send(ex, 404, new byte[0]);
      }
    }
  }

  private boolean knownRevision(String rev) {
    return rev.equals("main") || rev.equals("v1") || rev.equals(commit);
  }

  private void storage(HttpExchange ex, String sha) throws IOException {
    byte[] bytes = files.values().stream().filter(b -> sha256(b).equals(sha)).findFirst().orElse(null);
    if (bytes == null) {
      send(ex, 404, new byte[0]);
      return;
    }
    if (corrupt.contains(sha)) {
      bytes = bytes.clone();
      bytes[bytes.length / 2] ^= 0x5a;
    }
    long from = 0;
    String range = ex.getRequestHeaders().getFirst("Range");
    if (range != null && range.startsWith("bytes=")) {
      from = Long.parseLong(range.substring(6, range.indexOf('-')));
      ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
    }
    ex.sendResponseHeaders(range != null ? 206 : 200, bytes.length - from);
    Long cut = cutOnce.remove(sha);
    try (OutputStream out = ex.getResponseBody()) {
      int end = cut == null ? bytes.length : (int) Math.min(bytes.length, from + cut);
      out.write(bytes, (int) from, end - (int) from);
      if (cut != null) {
        out.flush();
        throw new IOException("cut mid-body: the connection drops");
      }
    }
  }

  private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0 && !ex.getRequestMethod().equals("HEAD")) {
      ex.getResponseBody().write(body);
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The git blob id: SHA-1 of "blob SIZE\0" + contents (the hub's ETag of a file kept in git). */
  static String gitSha1(byte[] bytes) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-1");
      md.update(("blob " + bytes.length + "\0").getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(md.digest(bytes));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
