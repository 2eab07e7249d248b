package dev.sluice.ingress.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Set;

/**
 * The accepted {@code Authorization: Bearer} keys, matched in constant time: the presented key and
 * every configured key are compared as SHA-256 digests with {@link MessageDigest#isEqual} (which does
 * not stop at the first differing byte), and every configured key is compared, so neither the time
 * nor a length difference tells how close a guess was.
 */
public final class ApiKeys {
  private record Key(String key, byte[] digest) {}

  private final List<Key> keys;

  public ApiKeys(Set<String> keys) {
    this.keys = keys.stream().map(k -> new Key(k, sha256(k))).toList();
  }

  public boolean required() {
    return !keys.isEmpty();
  }

  /** The configured key equal to {@code presented}, or null. */
  public String match(String presented) {
    byte[] digest = sha256(presented);
    String found = null;
    for (Key k : keys) {
      if (MessageDigest.isEqual(k.digest(), digest)) found = k.key();
    }
    return found;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
