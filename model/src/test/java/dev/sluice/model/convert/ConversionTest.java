package dev.sluice.model.convert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.model.Architecture;
import dev.sluice.model.Golden;
import dev.sluice.model.LayerRange;
import dev.sluice.model.ModelConfig;
import dev.sluice.model.SequenceKv;
import dev.sluice.testing.SharedData;
import dev.sluice.model.StageModel;
import dev.sluice.model.StepInput;
import dev.sluice.model.StepOutput;
import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.model.tokenizer.Tokenizers;
import dev.sluice.model.weights.SafetensorsFile;
import dev.sluice.model.weights.TensorInfo;
import dev.sluice.model.weights.TensorSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConversionTest {
  static final int[] PROMPT = {1, 72, 101, 108, 108, 111, 44, 32, 119, 111, 114, 108, 100};

  @Test
  void shouldImportTheLlama2cCheckpointToTheSharedHuggingFaceTensors(@TempDir Path out) throws Exception {
    Path shared = SharedData.stories260K();
    ModelConfig cfg = Llama2cImporter.convert(shared.resolve("stories260K.bin"), shared.resolve("tok512.bin"), out);
    assertThat(cfg).isEqualTo(ModelConfig.read(shared));
    TensorSource mine = TensorSource.open(out);
    TensorSource theirs = TensorSource.open(shared);
    assertThat(mine.tensors().keySet()).isEqualTo(theirs.tensors().keySet());
    for (TensorInfo t : theirs.tensors().values()) {
      assertThat(SafetensorsFile.map(mine.tensors().get(t.name()))).as(t.name()).isEqualTo(SafetensorsFile.map(t));
    }
    try (TextTokenizer tok = Tokenizers.load(out)) {
      assertThat(tok.encode("Once upon a time")).containsExactly(1, 403, 407, 261, 378);
    }
  }

  @Test
  void shouldReproduceGoldenLogitsFromImportedCheckpoint(@TempDir Path out) throws Exception {
    Path shared = SharedData.stories260K();
    Llama2cImporter.convert(shared.resolve("stories260K.bin"), shared.resolve("tok512.bin"), out);
    Golden g = Golden.read(SharedData.stories260KGolden("golden_lily_tom.bin"));
    float[] all = allLogits(List.of(out), List.of(LayerRange.all(5)), g.tokens());
    assertMatchesGolden(g, all);
  }

  @Test
  void shouldSplitIntoStageDirectoriesThatReproduceGoldenLogits(@TempDir Path out) throws Exception {
    Path shared = SharedData.stories260K();
    List<LayerRange> ranges = ModelSplitter.split(shared, 3, out);
    assertThat(ranges).containsExactly(LayerRange.parse("0-1"), LayerRange.parse("2-3"), LayerRange.parse("4"));
    JsonNode manifest = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
    List<Path> dirs = new ArrayList<>();
    List<LayerRange> fromManifest = new ArrayList<>();
    for (JsonNode s : manifest.get("stages")) {
      dirs.add(out.resolve(s.get("dir").asText()));
      fromManifest.add(LayerRange.parse(s.get("layers").asText()));
    }
    assertThat(fromManifest).isEqualTo(ranges);
    // a stage directory holds only its own tensors
    assertThat(TensorSource.open(dirs.get(1)).tensors().keySet())
        .allMatch(n -> n.startsWith("model.layers.2.") || n.startsWith("model.layers.3."));
    Golden g = Golden.read(SharedData.stories260KGolden("golden_once_upon_a_time.bin"));
    assertMatchesGolden(g, allLogits(dirs, ranges, g.tokens()));
    // and the split root loads as one sharded checkpoint
    assertMatchesGolden(g, allLogits(List.of(out), List.of(LayerRange.all(5)), g.tokens()));
  }

  @Test
  void shouldWriteTheSameSeededRandomModelTwiceAndReadItBack(@TempDir Path dir) throws Exception {
    ModelConfig cfg = RandomModel.parseShape("tiny-gpt2,layers=2,hidden=32,heads=4,intermediate=64,vocab=300");
    RandomModel.write(cfg, dir.resolve("a"), 42, null);
    RandomModel.write(cfg, dir.resolve("b"), 42, null);
    RandomModel.write(cfg, dir.resolve("c"), 43, null);
    byte[] a = Files.readAllBytes(dir.resolve("a/model.safetensors"));
    assertThat(Files.readAllBytes(dir.resolve("b/model.safetensors"))).isEqualTo(a);
    assertThat(Files.readAllBytes(dir.resolve("c/model.safetensors"))).isNotEqualTo(a);
    assertThat(ModelConfig.read(dir.resolve("a"))).isEqualTo(cfg);
    TensorSource src = TensorSource.open(dir.resolve("a"));
    TensorInfo fc = src.tensors().get("h.1.mlp.c_fc.weight");
    assertThat(fc.shape()).containsExactly(32, 64);
    assertThat(SafetensorsFile.map(fc)).isEqualTo(RandomModel.values(fc.name(), fc.shape(), 42));
  }

  @Test
  void shouldMatchAPlainJavaGpt2AndNotChangeWhenSplit(@TempDir Path dir) throws Exception {
    ModelConfig cfg = RandomModel.parseShape("tiny-gpt2,layers=4,hidden=32,heads=4,intermediate=128,vocab=300");
    assertThat(cfg.architecture()).isEqualTo(Architecture.GPT2);
    Path model = dir.resolve("gpt2");
    RandomModel.write(cfg, model, 7, null);
    float[][] reference = new NaiveGpt2(cfg, TensorSource.open(model)).logits(PROMPT);
    float[] whole = allLogits(List.of(model), List.of(LayerRange.all(4)), PROMPT);
    int v = cfg.vocabSize();
    for (int t = 0; t < PROMPT.length; t++) {
      float[] row = java.util.Arrays.copyOfRange(whole, t * v, (t + 1) * v);
      assertThat(Golden.maxAbsDiff(row, reference[t])).as("position %d vs plain Java", t).isLessThan(1e-4f);
    }
    for (int stages : new int[] {2, 4}) {
      Path split = dir.resolve("split" + stages);
      List<LayerRange> ranges = ModelSplitter.split(model, stages, split);
      List<Path> dirs = new ArrayList<>();
      for (int k = 0; k < stages; k++) {
        dirs.add(split.resolve("stage-" + k));
      }
      assertThat(Golden.maxAbsDiff(allLogits(dirs, ranges, PROMPT), whole)).as("%d stages", stages).isLessThan(1e-5f);
    }
  }

  @Test
  void shouldRunARandomGqaLlamaTheSameWhenSplit(@TempDir Path dir) throws Exception {
    ModelConfig cfg = RandomModel.parseShape("tiny-llama,layers=3,hidden=64,heads=8,kv_heads=2,vocab=300,tied=false");
    assertThat(cfg.kvGroups()).isEqualTo(4);
    Path model = dir.resolve("llama");
    RandomModel.write(cfg, model, 9, null);
    float[] whole = allLogits(List.of(model), List.of(LayerRange.all(3)), PROMPT);
    Path split = dir.resolve("split");
    List<LayerRange> ranges = ModelSplitter.split(model, 3, split);
    List<Path> dirs = List.of(split.resolve("stage-0"), split.resolve("stage-1"), split.resolve("stage-2"));
    assertThat(Golden.maxAbsDiff(allLogits(dirs, ranges, PROMPT), whole)).isLessThan(1e-5f);
  }

  /** Every position's logits of tokens run as one prefill through stages loaded from dirs. */
  static float[] allLogits(List<Path> dirs, List<LayerRange> ranges, int[] tokens) {
    List<StageModel> stages = new ArrayList<>();
    try {
      for (int k = 0; k < ranges.size(); k++) {
        stages.add(StageModel.load(dirs.get(dirs.size() == 1 ? 0 : k), ranges.get(k)));
      }
      StepOutput out = null;
      for (StageModel s : stages) {
        try (SequenceKv kv = s.newSequence(tokens.length)) {
          StepInput in = out == null ? StepInput.ofTokens(kv, tokens) : StepInput.ofHidden(kv, out.hidden());
          out = s.forward(List.of(in), true).get(0);
        }
      }
      return out.allLogits();
    } finally {
      stages.forEach(StageModel::close);
    }
  }

  static void assertMatchesGolden(Golden g, float[] all) {
    int v = g.logits()[0].length;
    for (int t = 0; t < g.tokens().length; t++) {
      float[] row = java.util.Arrays.copyOfRange(all, t * v, (t + 1) * v);
      assertThat(Golden.maxAbsDiff(row, g.logits()[t])).as("%s position %d", g.name(), t).isLessThanOrEqualTo(1e-4f);
      assertThat(Golden.argmax(row)).isEqualTo(Golden.argmax(g.logits()[t]));
    }
  }
}
