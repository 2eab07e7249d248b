package dev.sluice.model.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.model.LayerRange;
import dev.sluice.model.ModelConfig;
import dev.sluice.testing.SharedData;
import dev.sluice.model.verify.GoldenCheck;
import dev.sluice.model.verify.GoldenLogits;
import dev.sluice.model.weights.SafetensorsFile;
import dev.sluice.model.weights.SafetensorsWriter;
import dev.sluice.model.weights.TensorInfo;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hub client against a real HTTP server with the hub's URL layout and headers ({@link FakeHub}). */
class HubClientTest {
  static final String REPO = "sluice-test/tiny-qwen2";
  @TempDir Path tmp;

  private static Map<String, byte[]> tinyQwen2Files() throws Exception {
    Path dir = SharedData.hfFamily("tiny-qwen2");
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("config.json", Files.readAllBytes(dir.resolve("config.json")));
    files.put("model.safetensors", Files.readAllBytes(dir.resolve("model.safetensors")));
    files.put("generation_config.json", "{\"eos_token_id\": [2, 7]}".getBytes(StandardCharsets.UTF_8));
    files.put("README.md", "# tiny".getBytes(StandardCharsets.UTF_8));
    files.put("pytorch_model.bin", new byte[] {1, 2, 3}); // never fetched: Sluice reads safetensors
    return files;
  }

  private HubSettings settings(FakeHub hub, String token, boolean offline) {
    return new HubSettings(hub.endpoint(), token, tmp.resolve("hf/hub"), offline);
  }

  private static GoldenCheck.Result goldenCheck(Path model) throws Exception {
    GoldenLogits golden = GoldenLogits.read(SharedData.hfFamily("tiny-qwen2").resolve("golden_tiny-qwen2.bin"));
    return GoldenCheck.run(model, List.of(LayerRange.all(ModelConfig.read(model).numLayers())), golden, 8);
  }

  @Test
  void shouldPullIntoTheStandardHubCacheLayoutAndServeTheSameLogits() throws Exception {
    try (FakeHub hub = new FakeHub(REPO, tinyQwen2Files())) {
      StringWriter bar = new StringWriter();
      Path snapshot = new HubClient(settings(hub, null, false), s -> {})
          .snapshot(HubModelId.parse(REPO), DownloadProgress.bar(new java.io.PrintWriter(bar)));

      Path repoDir = tmp.resolve("hf/hub/models--sluice-test--tiny-qwen2");
      assertThat(snapshot).isEqualTo(repoDir.resolve("snapshots").resolve(hub.commit));
      assertThat(repoDir.resolve("refs/main")).content().isEqualTo(hub.commit);
      String sha256 = FakeHub.sha256(hub.files.get("model.safetensors"));
      assertThat(Files.readSymbolicLink(snapshot.resolve("model.safetensors")))
          .isEqualTo(Path.of("../../blobs/" + sha256));
      assertThat(Files.readSymbolicLink(snapshot.resolve("config.json")))
          .isEqualTo(Path.of("../../blobs/" + FakeHub.gitSha1(hub.files.get("config.json"))));
      assertThat(snapshot.resolve("pytorch_model.bin")).doesNotExist();
      assertThat(bar.toString()).contains("model.safetensors", "100%");
      assertThat(ModelConfig.read(snapshot).eosTokenIds()).containsExactly(2, 7);
      GoldenCheck.Result r = goldenCheck(snapshot);
      assertThat(r.passes(1e-4f)).as("max abs diff %s", r.maxAbsDiff()).isTrue();

      // pulling again finds every blob in the cache: only metadata requests, no storage downloads
      hub.requests.clear();
      new HubClient(settings(hub, null, false), s -> {}).snapshot(HubModelId.parse(REPO + "@v1"), DownloadProgress.NONE);
      assertThat(hub.requests).noneMatch(q -> q.path().startsWith("/storage/") || q.method().equals("GET")
          && q.path().contains("/resolve/"));
      assertThat(repoDir.resolve("refs/v1")).content().isEqualTo(hub.commit);
    }
  }

  @Test
  void shouldResumeAnInterruptedDownloadWithARangeRequest() throws Exception {
    try (FakeHub hub = new FakeHub(REPO, tinyQwen2Files())) {
      String sha = FakeHub.sha256(hub.files.get("model.safetensors"));
      hub.cutOnce.put(sha, 200_000L);
      HubClient client = new HubClient(settings(hub, null, false), s -> {});
      assertThatThrownBy(() -> client.snapshot(HubModelId.parse(REPO), DownloadProgress.NONE)).hasMessageContaining("model.safetensors");
      Path part = tmp.resolve("hf/hub/models--sluice-test--tiny-qwen2/blobs/" + sha + ".incomplete");
      // the hub cut the connection after 200,000 bytes; the bytes still in flight when it did may be lost
      long kept = Files.size(part);
      assertThat(kept).isPositive().isLessThanOrEqualTo(200_000L);

      List<String> said = new ArrayList<>();
      Path snapshot = new HubClient(settings(hub, null, false), said::add).snapshot(HubModelId.parse(REPO), DownloadProgress.NONE);
      assertThat(hub.requests).anyMatch(q -> q.path().equals("/storage/" + sha) && ("bytes=" + kept + "-").equals(q.range()));
      assertThat(said).anyMatch(l -> l.contains("Resuming model.safetensors at byte " + kept));
      assertThat(part).doesNotExist();
      assertThat(Files.mismatch(snapshot.resolve("model.safetensors"),
          SharedData.hfFamily("tiny-qwen2").resolve("model.safetensors"))).isEqualTo(-1L);
    }
  }

  @Test
  void shouldRefuseAFileWhoseChecksumDoesNotMatch() throws Exception {
    try (FakeHub hub = new FakeHub(REPO, tinyQwen2Files())) {
      String sha = FakeHub.sha256(hub.files.get("model.safetensors"));
      hub.corrupt.add(sha);
      assertThatThrownBy(() -> new HubClient(settings(hub, null, false), s -> {})
          .snapshot(HubModelId.parse(REPO), DownloadProgress.NONE))
          .hasMessageContaining("checksum mismatch for model.safetensors");
      assertThat(tmp.resolve("hf/hub/models--sluice-test--tiny-qwen2/blobs/" + sha)).doesNotExist();
    }
  }

  @Test
  void shouldPullShardedSafetensorsThroughTheirIndex() throws Exception {
    Path source = SharedData.hfFamily("tiny-qwen2");
    Map<String, TensorInfo> tensors = SafetensorsFile.readHeader(source.resolve("model.safetensors"));
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("config.json", Files.readAllBytes(source.resolve("config.json")));
    StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
    String sep = "";
    for (int shard = 1; shard <= 2; shard++) {
      String name = "model-0000" + shard + "-of-00002.safetensors";
      boolean first = shard == 1;
      List<TensorInfo> mine = tensors.values().stream()
          .filter(t -> t.name().contains("layers.0.") || t.name().contains("layers.1.") ? first : !first).toList();
      Path file = tmp.resolve(name);
      try (SafetensorsWriter w = new SafetensorsWriter(file, mine.stream()
          .map(t -> new SafetensorsWriter.Entry(t.name(), t.dtype(), t.shape())).toList())) {
        for (TensorInfo t : mine) {
          w.write(t.name(), SafetensorsFile.map(t));
        }
      }
      files.put(name, Files.readAllBytes(file));
      for (TensorInfo t : mine) {
        index.append(sep).append('"').append(t.name()).append("\": \"").append(name).append('"');
        sep = ", ";
      }
    }
    files.put("model.safetensors.index.json", index.append("}}").toString().getBytes(StandardCharsets.UTF_8));
    files.put("consolidated.safetensors", Files.readAllBytes(source.resolve("model.safetensors"))); // not in the index
    try (FakeHub hub = new FakeHub(REPO, files)) {
      Path snapshot = new HubClient(settings(hub, null, false), s -> {}).snapshot(HubModelId.parse(REPO), DownloadProgress.NONE);
      assertThat(snapshot.resolve("model-00001-of-00002.safetensors")).exists();
      assertThat(snapshot.resolve("model-00002-of-00002.safetensors")).exists();
      assertThat(snapshot.resolve("consolidated.safetensors")).doesNotExist();
      assertThat(goldenCheck(snapshot).passes(1e-4f)).isTrue();
    }
  }

  @Test
  void shouldSendHfTokenToTheHubOnlyAndNameItWhenAGatedRepositoryRefuses() throws Exception {
    try (FakeHub hub = new FakeHub(REPO, tinyQwen2Files())) {
      hub.requiredToken = "hf_secret";
      assertThatThrownBy(() -> new HubClient(settings(hub, null, false), s -> {})
          .snapshot(HubModelId.parse(REPO), DownloadProgress.NONE))
          .hasMessageContaining("401").hasMessageContaining("gated").hasMessageContaining("HF_TOKEN");
      Path snapshot = new HubClient(settings(hub, "hf_secret", false), s -> {})
          .snapshot(HubModelId.parse(REPO), DownloadProgress.NONE);
      assertThat(snapshot.resolve("model.safetensors")).exists();
      assertThat(hub.requests).filteredOn(q -> q.path().startsWith("/storage/")).isNotEmpty()
          .allMatch(q -> q.authorization() == null);
    }
  }

  @Test
  void shouldAnswerFromTheCacheAloneWhenOfflineOrTheHubIsDown() throws Exception {
    HubSettings offline;
    Path snapshot;
    try (FakeHub hub = new FakeHub(REPO, tinyQwen2Files())) {
      snapshot = new HubClient(settings(hub, null, false), s -> {}).snapshot(HubModelId.parse(REPO), DownloadProgress.NONE);
      offline = settings(hub, null, true);
      hub.requests.clear();
      assertThat(new HubClient(offline, s -> {}).snapshot(HubModelId.parse(REPO), DownloadProgress.NONE)).isEqualTo(snapshot);
      assertThat(hub.requests).isEmpty();
    }
    HubSettings down = new HubSettings(offline.endpoint(), null, offline.cacheDir(), false); // the server is stopped now
    List<String> said = new ArrayList<>();
    assertThat(new HubClient(down, said::add).snapshot(HubModelId.parse(REPO), DownloadProgress.NONE)).isEqualTo(snapshot);
    assertThat(said).anyMatch(l -> l.contains("using the cached snapshot"));
    assertThatThrownBy(() -> new HubClient(offline, s -> {}).snapshot(HubModelId.parse("other/model"), DownloadProgress.NONE))
        .hasMessageContaining("HF_HUB_OFFLINE").hasMessageContaining("not in the hub cache");
  }

  @Test
  void shouldReuseACacheLaidOutByPythonTools() throws Exception {
    // what huggingface_hub's snapshot_download leaves: blobs by etag, relative links, refs/main
    Path repoDir = tmp.resolve("hf/hub/models--Org--Model");
    String commit = "0123456789abcdef0123456789abcdef01234567";
    Path source = SharedData.hfFamily("tiny-qwen3");
    Files.createDirectories(repoDir.resolve("blobs"));
    Files.createDirectories(repoDir.resolve("snapshots").resolve(commit));
    Files.createDirectories(repoDir.resolve("refs"));
    for (String f : List.of("config.json", "model.safetensors")) {
      String etag = FakeHub.gitSha1(Files.readAllBytes(source.resolve(f)));
      Files.copy(source.resolve(f), repoDir.resolve("blobs").resolve(etag));
      Files.createSymbolicLink(repoDir.resolve("snapshots").resolve(commit).resolve(f), Path.of("../../blobs/" + etag));
    }
    Files.writeString(repoDir.resolve("refs/main"), commit);
    HubSettings offline = HubSettings.fromEnvironment(Map.of("HF_HOME", tmp.resolve("hf").toString(), "HF_HUB_OFFLINE", "1"),
        tmp);
    Path snapshot = HubModels.resolve("Org/Model", offline, s -> {}, DownloadProgress.NONE);
    assertThat(snapshot).isEqualTo(repoDir.resolve("snapshots").resolve(commit));
    assertThat(ModelConfig.read(snapshot).modelType()).isEqualTo("qwen3");
  }

  @Test
  void shouldReadTheHuggingFaceEnvironmentVariables() {
    Path home = Path.of("/home/u");
    HubSettings defaults = HubSettings.fromEnvironment(Map.of(), home);
    assertThat(defaults.cacheDir()).isEqualTo(home.resolve(".cache/huggingface/hub"));
    assertThat(defaults.endpoint().toString()).isEqualTo("https://huggingface.co");
    assertThat(defaults.offline()).isFalse();
    HubSettings custom = HubSettings.fromEnvironment(Map.of("HF_HOME", "/data/hf", "HF_ENDPOINT", "https://mirror.example/",
        "HF_TOKEN", "hf_x", "HF_HUB_OFFLINE", "1"), home);
    assertThat(custom.cacheDir()).isEqualTo(Path.of("/data/hf/hub"));
    assertThat(custom.endpoint().toString()).isEqualTo("https://mirror.example");
    assertThat(custom.token()).isEqualTo("hf_x");
    assertThat(custom.offline()).isTrue();
    assertThat(HubSettings.fromEnvironment(Map.of("HF_HOME", "/a", "HF_HUB_CACHE", "/b"), home).cacheDir())
        .isEqualTo(Path.of("/b"));
    assertThat(HubModelId.parse("Qwen/Qwen3-0.6B@v1")).isEqualTo(new HubModelId("Qwen/Qwen3-0.6B", "v1"));
    assertThat(HubModelId.looksLike("../models")).isFalse();
  }
}
