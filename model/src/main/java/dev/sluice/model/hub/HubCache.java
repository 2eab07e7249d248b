package dev.sluice.model.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The hub cache layout huggingface_hub uses, so either side reuses the other's downloads:
 * <pre>
 * CACHE/models--ORG--NAME/blobs/ETAG                  file contents, named by git sha1 or LFS sha256
 * CACHE/models--ORG--NAME/blobs/ETAG.incomplete       a download in progress (resumed from its length)
 * CACHE/models--ORG--NAME/refs/REVISION               the commit hash a branch or tag pointed at
 * CACHE/models--ORG--NAME/snapshots/COMMIT/PATH       relative symlink to ../../blobs/ETAG
 * </pre>
 */
public record HubCache(Path root) {

  public Path repoDir(HubModelId id) {
    return root.resolve(id.cacheFolder());
  }

  public Path blob(HubModelId id, String etag) {
    return repoDir(id).resolve("blobs").resolve(etag);
  }

  public Path incomplete(HubModelId id, String etag) {
    return repoDir(id).resolve("blobs").resolve(etag + ".incomplete");
  }

  public Path snapshot(HubModelId id, String commit) {
    return repoDir(id).resolve("snapshots").resolve(commit);
  }

  /** The commit a revision resolves to in the cache: itself when it is a hash, else refs/REVISION. */
  public Optional<String> commitOf(HubModelId id) throws IOException {
    if (id.pinned()) {
      return Optional.of(id.revision());
    }
    Path ref = repoDir(id).resolve("refs").resolve(id.revision());
    return Files.isRegularFile(ref) ? Optional.of(Files.readString(ref, StandardCharsets.UTF_8).trim()) : Optional.empty();
  }

  public void writeRef(HubModelId id, String commit) throws IOException {
    if (id.pinned() || id.revision().equals(commit)) {
      return;
    }
    Path ref = repoDir(id).resolve("refs").resolve(id.revision());
    Files.createDirectories(ref.getParent());
    Path tmp = Files.createTempFile(ref.getParent(), ".ref", ".tmp");
    Files.writeString(tmp, commit, StandardCharsets.UTF_8);
    Files.move(tmp, ref, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Points snapshots/COMMIT/PATH at the blob (a relative symlink; a copy where links are not allowed). */
  public Path link(HubModelId id, String commit, String path, String etag) throws IOException {
    Path file = snapshot(id, commit).resolve(path).normalize();
    if (!file.startsWith(snapshot(id, commit))) {
      throw new IOException("file name '" + path + "' leaves the snapshot folder");
    }
    Files.createDirectories(file.getParent());
    Path blob = blob(id, etag);
    Files.deleteIfExists(file);
    try {
      Files.createSymbolicLink(file, file.getParent().relativize(blob));
    } catch (UnsupportedOperationException | IOException e) {
      Files.copy(blob, file, StandardCopyOption.REPLACE_EXISTING);
    }
    return file;
  }
}
