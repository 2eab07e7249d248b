package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main job: `sluice demo` starts everything, serves real requests and exits 0 — with the
 * embedded stories260K, so the same holds on a fresh clone without ../shared.
 */
class DemoCommandTest extends CommandTestSupport {
  @Test
  void shouldServeRealRequestsWithCacheHitsAndExitZero(@TempDir Path dir) {
    int code = sluice("demo", "--data-dir", dir.toString(), "--max-tokens", "12");

    String text = out + "\n" + err;
    assertThat(code).as(text).isZero();
    assertThat(text).contains("Demo finished: every request completed.");
    assertThat(text).contains("embedded stories260K").doesNotContainIgnoringCase("random model");
    // real stories: the greedy continuation of the cold opening is English words
    assertThat(text).containsPattern("\\b(the|they|was|and|a)\\b.*\\b(the|they|was|and|a)\\b");
    // five completions, each with usage; at least one request that shares the long prefix met the cache
    Matcher m = Pattern.compile("\\[shares prefix\\] .* prompt (\\d+) tokens \\((\\d+) cached\\)").matcher(text);
    int sharing = 0;
    int maxCached = 0;
    while (m.find()) {
      sharing++;
      maxCached = Math.max(maxCached, Integer.parseInt(m.group(2)));
    }
    assertThat(sharing).isEqualTo(3);
    assertThat(maxCached).as(text).isGreaterThanOrEqualTo(96);
  }
}
