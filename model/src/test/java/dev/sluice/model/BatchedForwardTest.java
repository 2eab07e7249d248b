package dev.sluice.model;

import dev.sluice.testing.SharedData;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Batching, chunking and KV export must not change what the model computes. */
class BatchedForwardTest {
  /**
   * Batched and one-at-a-time matmuls take different kernel paths; on some CPUs they differ by up to
   * ~1.2e-5 on these logits (seen on this machine: 1.14e-5), so allow what the golden tests allow.
   */
  static final float EXACT_ENOUGH = 1e-4f;
  static StageModel model;
  static Golden golden;

  @BeforeAll
  static void load() throws Exception {
    model = StageModel.loadAll(SharedData.stories260K());
    golden = Golden.read(SharedData.stories260KGolden("golden_bos_greedy256.bin"));
  }

  @AfterAll
  static void close() {
    if (model != null) {
      model.close();
    }
  }

  static int[] tokens(int from, int n) {
    return Arrays.copyOfRange(golden.tokens(), from, from + n);
  }

  float[] lastLogitsAlone(int[] prompt) {
    try (SequenceKv kv = model.newSequence(64)) {
      return model.forward(List.of(StepInput.ofTokens(kv, prompt))).get(0).logits();
    }
  }

  @Test
  void shouldGiveSameLogitsForBatchOfDifferentLengthsAsOneAtATime() {
    int[][] prompts = {tokens(0, 3), tokens(5, 11), tokens(20, 1), tokens(40, 7)};
    List<SequenceKv> kvs = new ArrayList<>();
    List<StepInput> batch = new ArrayList<>();
    for (int[] p : prompts) {
      SequenceKv kv = model.newSequence(64);
      kvs.add(kv);
      batch.add(StepInput.ofTokens(kv, p));
    }
    List<StepOutput> prefill = model.forward(batch);
    for (int i = 0; i < prompts.length; i++) {
      assertThat(Golden.maxAbsDiff(prefill.get(i).logits(), lastLogitsAlone(prompts[i]))).isLessThan(EXACT_ENOUGH);
      assertThat(kvs.get(i).length()).isEqualTo(prompts[i].length);
    }
    // then a batched decode step (one token each, different positions) equals each alone
    List<StepInput> decode = new ArrayList<>();
    for (int i = 0; i < prompts.length; i++) {
      decode.add(StepInput.ofTokens(kvs.get(i), 42 + i));
    }
    List<StepOutput> step = model.forward(decode);
    for (int i = 0; i < prompts.length; i++) {
      int[] extended = Arrays.copyOf(prompts[i], prompts[i].length + 1);
      extended[prompts[i].length] = 42 + i;
      assertThat(Golden.maxAbsDiff(step.get(i).logits(), lastLogitsAlone(extended))).isLessThan(EXACT_ENOUGH);
    }
    kvs.forEach(SequenceKv::close);
  }

  @Test
  void shouldGiveSameLogitsForPrefillThenDecodeAsForLongerPrefill() {
    int[] prompt = tokens(0, 9);
    try (SequenceKv kv = model.newSequence(16)) {
      model.forward(List.of(StepInput.ofTokens(kv, Arrays.copyOf(prompt, 8))));
      float[] decoded = model.forward(List.of(StepInput.ofTokens(kv, prompt[8]))).get(0).logits();
      assertThat(Golden.maxAbsDiff(decoded, lastLogitsAlone(prompt))).isLessThan(EXACT_ENOUGH);
      assertThat(Golden.maxAbsDiff(decoded, golden.logits()[8])).isLessThan(GoldenLogitsTest.TOLERANCE);
    }
  }

  @Test
  void shouldContinueIdenticallyFromImportedKvBlocks() {
    int[] prompt = tokens(0, 20);
    try (SequenceKv original = model.newSequence(32); SequenceKv restored = model.newSequence(32)) {
      model.forward(List.of(StepInput.ofTokens(original, prompt)));
      byte[] first = original.exportRange(0, 16);
      byte[] second = original.exportRange(16, 20);
      assertThat(first).hasSize(16 * original.bytesPerPosition());
      restored.importRange(0, first);
      restored.importRange(16, second);
      assertThat(restored.length()).isEqualTo(20);
      assertThat(restored.exportRange(0, 20)).isEqualTo(original.exportRange(0, 20)); // lossless
      float[] a = model.forward(List.of(StepInput.ofTokens(original, 7))).get(0).logits();
      float[] b = model.forward(List.of(StepInput.ofTokens(restored, 7))).get(0).logits();
      assertThat(b).containsExactly(a);
    }
  }

  @Test
  void shouldRecomputeSameLogitsAfterTruncate() {
    int[] prompt = tokens(0, 12);
    try (SequenceKv kv = model.newSequence(16)) {
      float[] before = model.forward(List.of(StepInput.ofTokens(kv, prompt))).get(0).logits();
      kv.truncate(6);
      float[] again = model.forward(List.of(StepInput.ofTokens(kv, Arrays.copyOfRange(prompt, 6, 12)))).get(0).logits();
      assertThat(Golden.maxAbsDiff(again, before)).isLessThan(EXACT_ENOUGH);
    }
  }

  @Test
  void shouldRejectStepBeyondKvCapacityWithoutChangingLength() {
    try (SequenceKv kv = model.newSequence(4)) {
      model.forward(List.of(StepInput.ofTokens(kv, tokens(0, 3))));
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> model.forward(List.of(StepInput.ofTokens(kv, tokens(3, 2)))))
          .hasMessageContaining("capacity is 4");
      assertThat(kv.length()).isEqualTo(3);
    }
  }

  @Test
  void shouldKeepNativeMemoryFlatOverManySteps() {
    try (SequenceKv a = model.newSequence(300); SequenceKv b = model.newSequence(300)) {
      model.forward(List.of(StepInput.ofTokens(a, tokens(0, 20)), StepInput.ofTokens(b, tokens(0, 5))));
      int before = model.liveArrays();
      for (int step = 0; step < 200; step++) {
        model.forward(List.of(StepInput.ofTokens(a, 5 + step % 100), StepInput.ofTokens(b, 9)));
      }
      a.exportRange(0, 100);
      b.importRange(0, a.exportRange(0, 50));
      assertThat(model.liveArrays()).isEqualTo(before);
    }
  }

  @Test
  void shouldRoundTripHiddenStatesThroughBytesLosslessly() {
    float[] values = {0f, -0f, 1.5f, -3.25e-30f, Float.MAX_VALUE, Float.MIN_VALUE, 22.123456f};
    assertThat(ActivationBytes.fromBytes(ActivationBytes.toBytes(values))).containsExactly(values);
    assertThat(ActivationBytes.toBytes(new float[] {1f})).containsExactly(0, 0, (byte) 0x80, 0x3f); // little-endian
  }

  @Test
  void shouldSplitStageOutputsIntoHiddenStatesOfEachSequence() {
    Path dir = SharedData.stories260K();
    try (StageModel first = StageModel.load(dir, LayerRange.parse("0-1"));
        SequenceKv a = first.newSequence(8);
        SequenceKv b = first.newSequence(8)) {
      assertThat(first.isFirst()).isTrue();
      assertThat(first.isLast()).isFalse();
      List<StepOutput> out = first.forward(List.of(StepInput.ofTokens(a, 1, 2, 3), StepInput.ofTokens(b, 1)));
      assertThat(out.get(0).hidden()).hasSize(3 * 64);
      assertThat(out.get(1).hidden()).hasSize(64);
      assertThat(out.get(0).logits()).isNull();
    }
  }
}
