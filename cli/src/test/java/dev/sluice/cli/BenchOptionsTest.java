package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** Options of the bench commands as picocli parses them, without running a benchmark. */
class BenchOptionsTest {

  @Test
  void shouldNameBenchPrefixsReportReportAndStillTakeOut() {
    assertThat(parsedPrefix().report).isEqualTo(Path.of("bench-prefix.html"));
    assertThat(parsedPrefix("--report", "a.html").report).isEqualTo(Path.of("a.html"));
    assertThat(parsedPrefix("--out", "b.html").report).isEqualTo(Path.of("b.html"));
  }

  @Test
  void shouldConvertBenchReplaySpeedsAndRejectTheRest() {
    assertThat(parsedReplay().speed).isEqualTo(new ReplaySpeed("original", 1));
    assertThat(parsedReplay("--speed", "max").speed).isEqualTo(new ReplaySpeed("max", 0));
    assertThat(parsedReplay("--speed", "2.5").speed.factor()).isEqualTo(2.5);
    assertThat(parsedReplay("--speed", "4x").speed.factor()).isEqualTo(4);
    assertThat(parsedReplay("--speed", "4x").speed).hasToString("4x");
    for (String bad : new String[] {"0", "-1", "fast", "NaN"}) {
      assertThatThrownBy(() -> parsedReplay("--speed", bad)).isInstanceOf(ParameterException.class)
          .hasMessageContaining("must be original, max or a factor N > 0: " + bad);
    }
  }

  private static BenchPrefixCommand parsedPrefix(String... args) {
    BenchPrefixCommand command = new BenchPrefixCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  private static BenchReplayCommand parsedReplay(String... args) {
    BenchReplayCommand command = new BenchReplayCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }
}
