package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.cli.config.ConfigException;
import dev.sluice.router.RouterSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The router's cache_aware keys, read from its YAML file like every other key. */
class RouterCommandSettingsTest {

  private static RouterSettings settings(Path yaml, String... flags) {
    RouterCommand command = new RouterCommand();
    String[] args = new String[flags.length + 2];
    args[0] = "--config";
    args[1] = yaml.toString();
    System.arraycopy(flags, 0, args, 2, flags.length);
    new CommandLine(command).parseArgs(args);
    return command.settings();
  }

  @Test
  void shouldTakeAFlagOverTheFileAndTheFileOverTheDefaultThatHelpShows(@TempDir Path dir) throws Exception {
    Path yaml = Files.writeString(dir.resolve("router.yaml"), "lanes: 8\nmax_prompt_tokens: 300\n");
    RouterSettings fromFile = settings(yaml);
    assertThat(fromFile.lanes()).isEqualTo(8);
    assertThat(fromFile.maxPromptTokens()).isEqualTo(300);
    assertThat(fromFile.maxTokensLimit()).isEqualTo(RouterSettings.defaults("m").maxTokensLimit());
    assertThat(settings(yaml, "--lanes", "4").lanes()).isEqualTo(4);

    String help = new CommandLine(new RouterCommand()).getUsageMessage();
    assertThat(help).contains("(default: " + RouterSettings.DEFAULT_LANES + ")", "(default: 127.0.0.1:9092,",
        "--command-config, --kafka-properties=FILE");
    assertThat(help).doesNotContain("default: null");
  }

  @Test
  void shouldReadTheCacheAwareParametersAndKeepTheOthersAtTheirDefaults(@TempDir Path dir) throws Exception {
    Path yaml = Files.writeString(dir.resolve("router.yaml"), "cache_aware_hysteresis: 1.5\ncache_aware_prefill_tokens_per_s: 400\n");
    RouterSettings s = settings(yaml);
    assertThat(s.cacheAware().hysteresis()).isEqualTo(1.5);
    assertThat(s.cacheAware().prefillTokensPerSecond()).isEqualTo(400);
    assertThat(s.cacheAware().epsilon()).isEqualTo(1.0);
    assertThat(s.cacheAware().minHeadroomRequests()).isEqualTo(1.5);
  }

  @Test
  void shouldNameTheKeyOfAnInvalidValue(@TempDir Path dir) throws Exception {
    Path yaml = Files.writeString(dir.resolve("router.yaml"), "cache_aware_epsilon: -1\n");
    assertThatThrownBy(() -> settings(yaml)).isInstanceOf(ConfigException.class).hasMessageContaining("cache_aware_epsilon");
  }
}
