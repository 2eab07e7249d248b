package dev.sluice.router.admission;

import static dev.sluice.router.Fixtures.MODEL;
import static dev.sluice.router.Fixtures.prompt;
import static dev.sluice.router.Fixtures.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.model.tokenizer.Tokenizers;
import dev.sluice.router.Fixtures;
import dev.sluice.router.RouterSettings;
import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.hash.BlockHasher;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RequestAdmissionTest {
  private static final long NOW = 5_000_000L;
  private final RouterSettings settings = RouterSettings.defaults(MODEL).withLimits(100, 50, 128).withDefaultTimeoutMs(30_000);
  private final RequestAdmission admission = new RequestAdmission(settings, null);

  private Admission admit(InferenceRequest r) {
    return admission.admit(r, r.getRequestId(), 1, NOW, NOW - 10);
  }

  private static String code(Admission a) {
    assertThat(a).isInstanceOf(Admission.Rejected.class);
    return ((Admission.Rejected) a).error().getErrorCode();
  }

  @Test
  void shouldHashTheSaltedPromptAndKeyItByItsFirstBlock() {
    InferenceRequest r = request("r", prompt(1, 40));
    r.setCacheSalt("tenant-a");
    Admission.Accepted accepted = (Admission.Accepted) admit(r);
    List<byte[]> expected = new BlockHasher(MODEL, "tenant-a", 16).hashes(prompt(1, 40));
    StageWork p = accepted.prompt();
    assertThat(p.getBlockHashes()).containsExactlyElementsOf(expected.stream().map(ByteBuffer::wrap).toList());
    assertThat(accepted.familyKey()).isEqualTo(BlockHasher.hex(expected.get(0)));
    assertThat(p.getReplyPartition()).isEqualTo(1);
    assertThat(p.getCreatedAtMs()).isEqualTo(NOW - 10);
    assertThat(p.getDeadlineMs()).as("default timeout from creation").isEqualTo(NOW - 10 + 30_000);
    // Another salt, another family: tenants never share cache.
    assertThat(((Admission.Accepted) admit(request("s", prompt(1, 40)))).familyKey()).isNotEqualTo(accepted.familyKey());
  }

  @Test
  void shouldRefuseRequestsOutsideTheLimitsWithTheirCode() {
    InferenceRequest longPrompt = request("a", prompt(1, 101));
    InferenceRequest overContext = request("b", prompt(1, 90));
    overContext.setMaxTokens(40);
    InferenceRequest badTopP = request("c", prompt(1, 10));
    badTopP.setTopP(0f);
    InferenceRequest late = request("d", prompt(1, 10));
    late.setDeadlineMs(NOW - 1);
    InferenceRequest negativeToken = request("e", new int[] {1, -5});
    InferenceRequest both = request("f", prompt(1, 10));
    both.setPrompt("hello");
    assertThat(code(admit(longPrompt))).isEqualTo("too_large");
    assertThat(code(admit(overContext))).isEqualTo("too_large");
    assertThat(code(admit(badTopP))).isEqualTo("invalid_request");
    assertThat(code(admit(late))).isEqualTo("deadline_exceeded");
    assertThat(code(admit(negativeToken))).isEqualTo("invalid_request");
    assertThat(code(admit(both))).isEqualTo("invalid_request");
    assertThat(((Admission.Rejected) admit(longPrompt)).error().getErrorMessage()).contains("101 tokens", "100");
  }

  @Test
  void shouldTokenizePromptTextWithTheServedModelsTokenizer() {
    Path shared = Fixtures.sharedDir();
    assumeTrue(shared != null, "shared data directory (../shared) is missing: skipping the real tokenizer test");
    try (TextTokenizer tokenizer = Tokenizers.load(shared.resolve("models").resolve(MODEL))) {
      RequestAdmission withTokenizer = new RequestAdmission(settings, tokenizer::encode);
      InferenceRequest r = request("t", prompt(1, 1));
      r.setPromptTokens(null);
      r.setPrompt("Once upon a time, there was a little girl");
      StageWork p = ((Admission.Accepted) withTokenizer.admit(r, "t", null, NOW, NOW)).prompt();
      int[] expected = tokenizer.encode("Once upon a time, there was a little girl");
      assertThat(expected[0]).as("BOS first").isEqualTo(tokenizer.bosId());
      assertThat(p.getTokenIds()).containsExactlyElementsOf(IntStream.of(expected).boxed().toList());
      assertThat(p.getPromptLength()).isEqualTo(expected.length);
    }
  }
}
