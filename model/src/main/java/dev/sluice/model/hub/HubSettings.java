package dev.sluice.model.hub;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the hub is and where its files are kept, from the environment variables huggingface_hub reads:
 * {@code HF_ENDPOINT} (default https://huggingface.co), {@code HF_TOKEN} (gated and private repos),
 * {@code HF_HUB_CACHE}, else {@code HF_HOME}/hub, else ~/.cache/huggingface/hub (so a cache filled by
 * Python tools is reused and the other way round), and {@code HF_HUB_OFFLINE=1} (the cache alone).
 */
public record HubSettings(URI endpoint, String token, Path cacheDir, boolean offline) {

  public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

  public HubSettings {
    String e = endpoint.toString();
    endpoint = URI.create(e.endsWith("/") ? e.substring(0, e.length() - 1) : e);
    token = token == null || token.isBlank() ? null : token.trim();
  }

  public static HubSettings fromEnvironment() {
    return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  static HubSettings fromEnvironment(Map<String, String> env, Path home) {
    Path cache;
    if (nonEmpty(env.get("HF_HUB_CACHE"))) {
      cache = Path.of(env.get("HF_HUB_CACHE"));
    } else if (nonEmpty(env.get("HF_HOME"))) {
      cache = Path.of(env.get("HF_HOME")).resolve("hub");
    } else if (nonEmpty(env.get("XDG_CACHE_HOME"))) {
      cache = Path.of(env.get("XDG_CACHE_HOME")).resolve("huggingface").resolve("hub");
    } else {
      cache = home.resolve(".cache").resolve("huggingface").resolve("hub");
    }
    String endpoint = nonEmpty(env.get("HF_ENDPOINT")) ? env.get("HF_ENDPOINT") : DEFAULT_ENDPOINT;
    String token = nonEmpty(env.get("HF_TOKEN")) ? env.get("HF_TOKEN") : env.get("HUGGING_FACE_HUB_TOKEN");
    String offline = env.getOrDefault("HF_HUB_OFFLINE", "");
    return new HubSettings(URI.create(endpoint), token, cache,
        offline.equals("1") || offline.equalsIgnoreCase("true") || offline.equalsIgnoreCase("yes")
            || offline.equalsIgnoreCase("on"));
  }

  private static boolean nonEmpty(String s) {
    return s != null && !s.isBlank();
  }
}
