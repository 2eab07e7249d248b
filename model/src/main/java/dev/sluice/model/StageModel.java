package dev.sluice.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.sluice.model.weights.TensorSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * One pipeline stage: a contiguous range of a model's layers, plus the embedding when it is the
 * first stage and the final norm and LM head when it is the last. A stage covering every layer is
 * the whole model.
 *
 * <p>{@link #forward} runs one batched step: the linear layers over the new tokens of all inputs at
 * once, attention per sequence against its own KV. Calls are serialised (one step at a time).
 */
public final class StageModel implements AutoCloseable {
  private final ModelConfig config;
  private final LayerRange layers;
  private final NDManager weightsManager;
  private final StageWeights weights;

  private StageModel(ModelConfig config, LayerRange layers, NDManager weightsManager, StageWeights weights) {
    this.config = config;
    this.layers = layers;
    this.weightsManager = weightsManager;
    this.weights = weights;
  }

  /**
   * Loads the tensors of {@code layers} from a Hugging Face model directory (config.json +
   * safetensors, single or sharded), which may be the output of {@code sluice split} or one of its
   * stage directories. Only the needed tensors are read.
   */
  public static StageModel load(Path modelDir, LayerRange layers) {
    ModelConfig config = ModelConfig.read(modelDir);
    if (layers.end() > config.numLayers()) {
      throw new IllegalArgumentException("layers " + layers + " are outside the model's " + config.numLayers()
          + " layers (0-" + (config.numLayers() - 1) + ")");
    }
    TensorSource source = TensorSource.open(modelDir);
    NDManager manager = Engine.getEngine("PyTorch").newBaseManager();
    try {
      WeightLoader loader = new WeightLoader(source, manager);
      boolean first = layers.isFirst();
      boolean last = layers.isLastOf(config.numLayers());
      StageWeights weights = switch (config.architecture()) {
        case LLAMA -> new LlamaWeights(config, layers, first, last, loader);
        case GPT2 -> new Gpt2Weights(config, layers, first, last, loader);
      };
      return new StageModel(config, layers, manager, weights);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** The whole model as one stage. */
  public static StageModel loadAll(Path modelDir) {
    return load(modelDir, LayerRange.all(ModelConfig.read(modelDir).numLayers()));
  }

  public ModelConfig config() {
    return config;
  }

  public LayerRange layers() {
    return layers;
  }

  /** Whether this stage embeds the tokens (it runs layer 0). */
  public boolean isFirst() {
    return layers.isFirst();
  }

  /** Whether this stage has the final norm and LM head (it runs the model's last layer). */
  public boolean isLast() {
    return layers.isLastOf(config.numLayers());
  }

  /** Bytes of one position's K and V over this stage's layers, as {@link SequenceKv#exportRange} writes them. */
  public int kvBytesPerPosition() {
    return SequenceKv.bytesPerPosition(layers.size(), config.numKvHeads(), config.headDim());
  }

  /** Empty hot KV for one sequence, preallocated for {@code capacityTokens} positions of this stage's layers. */
  public SequenceKv newSequence(int capacityTokens) {
    return new SequenceKv(this, weightsManager, layers.size(), capacityTokens, config.numKvHeads(), config.headDim());
  }

  /** One batched step; the last stage returns only each input's last-position logits. */
  public List<StepOutput> forward(List<StepInput> batch) {
    return forward(batch, false);
  }

  /**
   * One batched step. Each input's tokens are appended to its sequence at [kv.length(), kv.length() + n).
   * If it throws, no sequence's length has changed.
   *
   * @param allPositionLogits at the last stage, also return logits of every position (golden tests)
   */
  public synchronized List<StepOutput> forward(List<StepInput> batch, boolean allPositionLogits) {
    List<Segment> segments = new ArrayList<>(batch.size());
    Set<SequenceKv> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    int total = 0;
    for (StepInput in : batch) {
      int n = checkInput(in);
      if (!seen.add(in.kv())) {
        throw new IllegalArgumentException("a sequence appears twice in one batch");
      }
      segments.add(new Segment(in.kv(), total, n, in.kv().length()));
      total += n;
    }
    int[] positions = new int[total];
    for (Segment s : segments) {
      for (int j = 0; j < s.count(); j++) {
        positions[s.offset() + j] = s.start() + j;
      }
    }
    try (NDManager scratch = weightsManager.newSubManager(); NDScope scope = new NDScope()) {
      Step step = new Step(scratch, positions, segments);
      NDArray x = isFirst() ? weights.embed(step, concatTokens(batch)) // [T, hidden]
          : scratch.create(concatHidden(batch), new Shape(total, config.hiddenSize()));
      weights.prepare(step);
      for (int layer = layers.start(); layer < layers.end(); layer++) {
        // a layer's temporaries are freed when it ends, not at the end of the step: a 2048-token
        // prefill of GPT-2-small would otherwise hold gigabytes of activations
        try (NDScope layerScope = new NDScope()) {
          NDArray next = weights.block(step, layer, x); // [T, hidden]
          NDScope.unregister(next);
          x = next;
        }
        NDScope.register(x); // now owned by the step's scope
      }
      List<StepOutput> outputs = isLast() ? headOutputs(scratch, x, segments, allPositionLogits) : hiddenOutputs(x, segments);
      for (Segment s : segments) {
        s.kv().advance(s.count());
      }
      return outputs;
    }
  }

  private int checkInput(StepInput in) {
    if (in.kv() == null || in.kv().owner() != this) {
      throw new IllegalArgumentException("every input needs a SequenceKv made by this stage's newSequence");
    }
    if (isFirst() && in.tokenIds() == null) {
      throw new IllegalArgumentException("the first stage takes token ids");
    }
    if (!isFirst() && (in.hidden() == null || in.hidden().length % config.hiddenSize() != 0)) {
      throw new IllegalArgumentException("stage " + layers + " takes hidden states of [tokens × " + config.hiddenSize()
          + "] floats");
    }
    int n = in.tokens(config.hiddenSize());
    if (n < 1) {
      throw new IllegalArgumentException("an input must carry at least one token");
    }
    if (in.kv().length() + n > in.kv().capacity()) {
      throw new IllegalArgumentException("sequence would reach " + (in.kv().length() + n)
          + " positions but its KV capacity is " + in.kv().capacity());
    }
    if (isFirst() && in.tokenIds() != null) {
      for (int id : in.tokenIds()) {
        if (id < 0 || id >= config.vocabSize()) {
          throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + config.vocabSize());
        }
      }
    }
    return n;
  }

  private static int[] concatTokens(List<StepInput> batch) {
    return batch.stream().flatMapToInt(in -> IntStream.of(in.tokenIds())).toArray();
  }

  private static float[] concatHidden(List<StepInput> batch) {
    int size = 0;
    for (StepInput in : batch) {
      size += in.hidden().length;
    }
    float[] all = new float[size];
    int at = 0;
    for (StepInput in : batch) {
      System.arraycopy(in.hidden(), 0, all, at, in.hidden().length);
      at += in.hidden().length;
    }
    return all;
  }

  private List<StepOutput> hiddenOutputs(NDArray x, List<Segment> segments) {
    float[] all = x.toFloatArray();
    int h = config.hiddenSize();
    List<StepOutput> out = new ArrayList<>(segments.size());
    for (Segment s : segments) {
      float[] rows = java.util.Arrays.copyOfRange(all, s.offset() * h, (s.offset() + s.count()) * h);
      out.add(new StepOutput(s.count(), rows, null, null));
    }
    return out;
  }

  private List<StepOutput> headOutputs(NDManager scratch, NDArray x, List<Segment> segments, boolean allPositions) {
    int vocab = config.vocabSize();
    List<StepOutput> out = new ArrayList<>(segments.size());
    if (allPositions) {
      float[] all = weights.head(x).toFloatArray(); // [T, vocab]
      for (Segment s : segments) {
        float[] rows = java.util.Arrays.copyOfRange(all, s.offset() * vocab, (s.offset() + s.count()) * vocab);
        float[] lastRow = java.util.Arrays.copyOfRange(rows, (s.count() - 1) * vocab, s.count() * vocab);
        out.add(new StepOutput(s.count(), null, lastRow, rows));
      }
      return out;
    }
    // Only the last position of each sequence needs logits: gather those rows first.
    long[] lastRows = segments.stream().mapToLong(s -> s.offset() + s.count() - 1).toArray();
    float[] logits = weights.head(x.get(scratch.create(lastRows))).toFloatArray(); // [B, vocab]
    for (int i = 0; i < segments.size(); i++) {
      float[] row = java.util.Arrays.copyOfRange(logits, i * vocab, (i + 1) * vocab);
      out.add(new StepOutput(segments.get(i).count(), null, row, null));
    }
    return out;
  }

  /** Native arrays alive under this stage (weights, KV, anything leaked by a step); for leak tests. */
  int liveArrays() {
    return weightsManager.getManagedArrays().size();
  }

  @Override
  public void close() {
    weightsManager.close();
  }
}
