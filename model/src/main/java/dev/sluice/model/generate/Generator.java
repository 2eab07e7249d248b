package dev.sluice.model.generate;

import dev.sluice.model.SequenceKv;
import dev.sluice.model.StageModel;
import dev.sluice.model.StepInput;
import dev.sluice.model.StepOutput;
import dev.sluice.model.sampling.StopReason;
import dev.sluice.model.sampling.Sampler;
import dev.sluice.model.sampling.SamplingParams;
import dev.sluice.model.sampling.SamplingRandom;
import dev.sluice.model.sampling.StopCondition;
import dev.sluice.model.tokenizer.Detokenizer;
import dev.sluice.model.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * In-process reference generation over one or more chained stages (the whole model, or a split of
 * it): all prompts are prefilled in one batched step, then decoded together one token per step.
 * The pipeline must produce exactly what this produces.
 *
 * <p>The token sampled after position p-1 occupies position p; its random stream is
 * {@code SamplingRandom.forStep(seed, requestId, p)}.
 */
public final class Generator {

  /** One prompt to complete. */
  public record Request(String id, int[] promptTokens, SamplingParams params, StopCondition stop) {}

  /** A finished sequence. */
  public record Generation(String id, int[] promptTokens, int[] tokens, String text, StopReason stopReason) {}

  /** Called for every generated token, in order, with the newly completed text (may be empty). */
  @FunctionalInterface
  public interface Listener {
    void onToken(int requestIndex, int token, String textDelta);
  }

  private final List<StageModel> stages;
  private final TextTokenizer tokenizer;

  public Generator(List<StageModel> stages, TextTokenizer tokenizer) {
    if (stages.isEmpty() || !stages.get(0).isFirst() || !stages.get(stages.size() - 1).isLast()) {
      throw new IllegalArgumentException("stages must run from the first layer to the last");
    }
    this.stages = List.copyOf(stages);
    this.tokenizer = tokenizer;
  }

  public Generation generate(Request request, Listener listener) {
    return generate(List.of(request), listener).get(0);
  }

  public List<Generation> generate(List<Request> requests, Listener listener) {
    List<Sequence> all = new ArrayList<>();
    try {
      for (Request r : requests) {
        all.add(new Sequence(r));
      }
      List<Sequence> active = new ArrayList<>(all);
      boolean prefill = true;
      while (!active.isEmpty()) {
        List<float[]> logits = step(active, prefill);
        prefill = false;
        for (int i = 0; i < active.size(); i++) {
          Sequence s = active.get(i);
          s.accept(logits.get(i), listener, all.indexOf(s));
        }
        active.removeIf(s -> s.finish != null);
      }
      return all.stream().map(Sequence::generation).toList();
    } finally {
      all.forEach(Sequence::close);
    }
  }

  /** Runs the new tokens of every active sequence through all stages; returns last-position logits. */
  private List<float[]> step(List<Sequence> active, boolean prefill) {
    List<StepInput> inputs = new ArrayList<>();
    for (Sequence s : active) {
      inputs.add(StepInput.ofTokens(s.kvs.get(0), prefill ? s.request.promptTokens() : new int[] {s.lastToken()}));
    }
    List<StepOutput> out = stages.get(0).forward(inputs);
    for (int k = 1; k < stages.size(); k++) {
      inputs = new ArrayList<>();
      for (int i = 0; i < active.size(); i++) {
        inputs.add(StepInput.ofHidden(active.get(i).kvs.get(k), out.get(i).hidden()));
      }
      out = stages.get(k).forward(inputs);
    }
    return out.stream().map(StepOutput::logits).toList();
  }

  private final class Sequence implements AutoCloseable {
    final Request request;
    final List<SequenceKv> kvs = new ArrayList<>();
    final Sampler sampler;
    final Detokenizer detokenizer;
    final List<Integer> tokens = new ArrayList<>();
    final StringBuilder text = new StringBuilder();
    final int capacity;
    StopReason finish;

    Sequence(Request request) {
      this.request = request;
      int prompt = request.promptTokens().length;
      int maxPositions = stages.get(0).config().maxPositions();
      if (prompt >= maxPositions) {
        throw new IllegalArgumentException("prompt of " + prompt + " tokens does not fit the model's " + maxPositions
            + " positions");
      }
      capacity = Math.min(prompt + request.stop().maxTokens(), maxPositions);
      for (StageModel stage : stages) {
        kvs.add(stage.newSequence(capacity));
      }
      sampler = Sampler.of(request.params());
      detokenizer = tokenizer.newDetokenizer();
      detokenizer.prime(request.promptTokens());
    }

    int lastToken() {
      return tokens.get(tokens.size() - 1);
    }

    void accept(float[] logits, Listener listener, int index) {
      int position = request.promptTokens().length + tokens.size();
      int token = sampler.sample(logits, SamplingRandom.forStep(request.params().seed(), request.id(), position));
      tokens.add(token);
      String delta = tokenizer.isEos(token) ? "" : detokenizer.push(token);
      text.append(delta);
      finish = request.stop().check(token, tokens.size(), text.toString()).orElse(null);
      if (finish == null && position + 1 >= capacity) {
        finish = StopReason.LENGTH; // the context is full
      }
      if (listener != null) {
        listener.onToken(index, token, delta);
      }
    }

    Generation generation() {
      return new Generation(request.id(), request.promptTokens(), tokens.stream().mapToInt(Integer::intValue).toArray(),
          request.stop().visibleText(text.toString()), finish);
    }

    @Override
    public void close() {
      kvs.forEach(SequenceKv::close);
    }
  }
}
