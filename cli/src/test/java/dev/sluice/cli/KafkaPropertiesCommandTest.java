package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.testing.SharedKafkaExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's Kafka properties file ({@code --command-config FILE}, the option every role shares) against
 * the shared broker's SASL_PLAINTEXT listener: with the SASL settings in the file the command works,
 * and the same command without them does not get through.
 */
@ExtendWith(SharedKafkaExtension.class)
class KafkaPropertiesCommandTest extends CommandTestSupport {

  @Test
  void shouldReachASaslListenerOnlyWithTheSettingsOfTheCommandConfigFile(@TempDir Path dir) throws Exception {
    SharedKafkaExtension.SaslListener sasl = SharedKafkaExtension.saslListener().orElse(null);
    assumeTrue(sasl != null, "the shared broker has no SASL listener (a container broker) — skipping");
    Path props = dir.resolve("sasl.properties");
    StringBuilder text = new StringBuilder();
    for (Map.Entry<String, Object> e : sasl.clientSettings().entrySet()) {
      text.append(e.getKey()).append('=').append(e.getValue()).append('\n');
    }
    Files.writeString(props, text);
    String namespace = SharedKafkaExtension.uniquePrefix("saslcli");

    assertThat(sluice("topics", "create", "--bootstrap-servers", sasl.bootstrapServers(), "--prefix", namespace,
        "--command-config", props.toString())).as(err.toString()).isZero();
    assertThat(sluice("topics", "verify", "--bootstrap-servers", sasl.bootstrapServers(), "--prefix", namespace,
        "--command-config", props.toString())).as(err.toString()).isZero();
    assertThat(out.toString()).contains("OK: 8 topics match the layout");

    Path plain = dir.resolve("plain.properties");
    Files.writeString(plain, "request.timeout.ms=2000\ndefault.api.timeout.ms=3000\n");
    assertThat(sluice("topics", "verify", "--bootstrap-servers", sasl.bootstrapServers(), "--prefix", namespace,
        "--command-config", plain.toString())).as("without the SASL settings").isNotZero();
  }
}
