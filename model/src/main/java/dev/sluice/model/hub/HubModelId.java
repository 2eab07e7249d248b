package dev.sluice.model.hub;

import java.util.regex.Pattern;

/**
 * A model repository on the Hugging Face hub and a revision: {@code ORG/NAME[@REVISION]}, the revision
 * a branch, tag or commit hash (default {@code main}).
 */
public record HubModelId(String repo, String revision) {
  private static final Pattern PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
  public static final String DEFAULT_REVISION = "main";

  public HubModelId {
    String[] parts = repo.split("/", -1);
    if (parts.length != 2 || !PART.matcher(parts[0]).matches() || !PART.matcher(parts[1]).matches()
        || repo.contains("..")) {
      throw new IllegalArgumentException("'" + repo + "' is not a hub model id ORG/NAME");
    }
    revision = revision == null || revision.isEmpty() ? DEFAULT_REVISION : revision;
    if (revision.contains("..") || revision.startsWith("/")) {
      throw new IllegalArgumentException("'" + revision + "' is not a revision");
    }
  }

  /** Parses {@code ORG/NAME} or {@code ORG/NAME@REVISION}. */
  public static HubModelId parse(String text) {
    int at = text.indexOf('@');
    return at < 0 ? new HubModelId(text, null) : new HubModelId(text.substring(0, at), text.substring(at + 1));
  }

  /** Whether {@code text} has the shape of a hub id (and so is not meant as a local folder). */
  public static boolean looksLike(String text) {
    try {
      parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Whether the revision is already a commit hash (no ref to resolve). */
  public boolean pinned() {
    return COMMIT.matcher(revision).matches();
  }

  /** The cache folder name: {@code models--ORG--NAME}. */
  public String cacheFolder() {
    return "models--" + repo.replace("/", "--");
  }

  @Override
  public String toString() {
    return repo + (revision.equals(DEFAULT_REVISION) ? "" : "@" + revision);
  }
}
