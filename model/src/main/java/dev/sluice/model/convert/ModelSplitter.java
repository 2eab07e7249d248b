package dev.sluice.model.convert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.model.LayerRange;
import dev.sluice.model.ModelConfig;
import dev.sluice.model.weights.SafetensorsFile;
import dev.sluice.model.weights.SafetensorsWriter;
import dev.sluice.model.weights.TensorInfo;
import dev.sluice.model.weights.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a model into per-stage directories, each a loadable model holding only its stage's tensors
 * (bytes copied as they are, dtype kept):
 *
 * <pre>
 * out/manifest.json                    {"num_layers": 5, "stages": [{"stage": 0, "layers": "0-2", "dir": "stage-0", ...}]}
 * out/config.json, tokenizer files
 * out/model.safetensors.index.json     every tensor → its stage file, so out/ loads as one sharded model
 * out/stage-K/config.json, model.safetensors, tokenizer files
 * </pre>
 *
 * Layer ranges in the manifest are inclusive ("0-2" = layers 0, 1, 2), as {@code --layers} takes them.
 */
public final class ModelSplitter {
  private ModelSplitter() {}

  public static List<LayerRange> split(Path modelDir, int stages, Path out) throws IOException {
    ModelConfig cfg = ModelConfig.read(modelDir);
    TensorSource source = TensorSource.open(modelDir);
    List<LayerRange> ranges = LayerRange.split(cfg.numLayers(), stages);
    Files.createDirectories(out);
    ObjectMapper json = new ObjectMapper();
    ObjectNode manifest = json.createObjectNode();
    manifest.put("source", modelDir.toAbsolutePath().normalize().toString());
    manifest.put("num_layers", cfg.numLayers());
    ArrayNode stageList = manifest.putArray("stages");
    ObjectNode index = json.createObjectNode();
    ObjectNode weightMap = index.putObject("weight_map");
    long totalBytes = 0;
    for (int k = 0; k < ranges.size(); k++) {
      LayerRange range = ranges.get(k);
      Path stageDir = out.resolve("stage-" + k);
      Files.createDirectories(stageDir);
      copyModelFiles(modelDir, stageDir);
      List<TensorInfo> mine = source.tensors().values().stream()
          .filter(t -> TensorLayout.stageNeeds(t.name(), range, cfg))
          .sorted(java.util.Comparator.comparing(TensorInfo::file).thenComparingLong(TensorInfo::begin))
          .toList();
      List<SafetensorsWriter.Entry> entries = new ArrayList<>();
      long bytes = 0;
      for (TensorInfo t : mine) {
        entries.add(new SafetensorsWriter.Entry(t.name(), t.dtype(), t.shape()));
        bytes += t.end() - t.begin();
      }
      try (SafetensorsWriter w = new SafetensorsWriter(stageDir.resolve("model.safetensors"), entries)) {
        for (TensorInfo t : mine) {
          w.write(t.name(), SafetensorsFile.map(t));
          if (!weightMap.has(t.name())) { // a tied embedding is in the first and last stage: map it once
            weightMap.put(t.name(), "stage-" + k + "/model.safetensors");
            totalBytes += t.end() - t.begin();
          }
        }
      }
      ObjectNode s = stageList.addObject();
      s.put("stage", k);
      s.put("layers", range.toString());
      s.put("dir", "stage-" + k);
      s.put("tensors", mine.size());
      s.put("bytes", bytes);
    }
    index.putObject("metadata").put("total_size", totalBytes);
    copyModelFiles(modelDir, out);
    json.writerWithDefaultPrettyPrinter().writeValue(out.resolve("model.safetensors.index.json").toFile(), index);
    json.writerWithDefaultPrettyPrinter().writeValue(out.resolve("manifest.json").toFile(), manifest);
    return ranges;
  }

  /** config.json, generation_config.json, tokenizer and chat template files (anything but weights) go with every stage. */
  private static void copyModelFiles(Path from, Path to) throws IOException {
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        String n = f.getFileName().toString();
        boolean tokenizer = n.startsWith("tok") || n.startsWith("tokenizer") || n.equals("special_tokens_map.json")
            || n.equals("vocab.json") || n.equals("merges.txt");
        boolean generation = n.equals("generation_config.json") || n.startsWith("chat_template.");
        if (Files.isRegularFile(f) && (n.equals("config.json") || tokenizer || generation)) {
          Files.copy(f, to.resolve(n), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
