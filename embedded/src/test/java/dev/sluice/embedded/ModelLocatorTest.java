package dev.sluice.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.model.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With no --model, Sluice serves the embedded stories260K: from the repository, or unpacked from the jar. */
class ModelLocatorTest {

  @Test
  void shouldFindTheEmbeddedModelInTheRepository() {
    Path model = ModelLocator.embeddedModel();
    assertThat(model).endsWith(Path.of("models", "stories260K"));
    assertThat(model.toString()).doesNotContain("shared");
    assertThat(ModelConfig.read(model).numLayers()).isEqualTo(5);
    assertThat(model.resolve("LICENSE")).content().contains("MIT License", "Andrej Karpathy");
  }

  @Test
  void shouldUnpackTheSameFilesFromTheJarWhenNoRepositoryIsAround(@TempDir Path dir) throws Exception {
    Path unpacked = ModelLocator.unpackFromClasspath(dir.resolve("stories260K"));
    Path repo = ModelLocator.embeddedModel();
    for (String name : ModelLocator.EMBEDDED_FILES) {
      assertThat(Files.mismatch(unpacked.resolve(name), repo.resolve(name))).as(name).isEqualTo(-1L);
    }
    assertThat(ModelLocator.unpackFromClasspath(dir.resolve("stories260K"))).isEqualTo(unpacked); // idempotent
  }

  @Test
  void shouldSayWhichModelItServesWhenNoneIsGiven() {
    StringBuilder said = new StringBuilder();
    Path model = ModelLocator.resolve(null, said::append);
    assertThat(model).isEqualTo(ModelLocator.embeddedModel());
    assertThat(said.toString()).contains("embedded stories260K").doesNotContain("random");
  }
}
