package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.embedded.ModelLocator;
import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.serde.SluiceSerdes;
import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import java.util.List;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code sluice bench replay --from-topic}: requests recorded on a real topic, replayed under two policies. */
@ExtendWith(SharedKafkaExtension.class)
class BenchReplayFromTopicTest extends CommandTestSupport {

  @Test
  void shouldReplayRecordedRequestsUnderTwoPoliciesWithIdenticalGreedyOutputs() throws Exception {
    String bootstrap = SharedKafkaExtension.bootstrapServers();
    String namespace = SharedKafkaExtension.uniquePrefix("recorded");
    try (TopicAdmin admin = TopicAdmin.connect(bootstrap)) {
      admin.create(TopicLayout.defaults().withNamespace(namespace).withStages(1).withLanes(2).withRequestsPartitions(3));
    }
    String topic = namespace + ".requests";
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("acks", "all");
    try (var producer = new KafkaProducer<>(p, new StringSerializer(), SluiceSerdes.inferenceRequest().serializer())) {
      for (int n = 0; n < 50; n++) {
        int i = n;
        InferenceRequest.Builder r = InferenceRequest.newBuilder().setRequestId("rec-" + i).setMaxTokens(6).setTemperature(0f);
        // 40 pre-tokenized prompts in 5 families sharing 32 tokens, and 10 text prompts the router tokenizes
        if (i < 40) {
          int family = i % 5;
          r.setPromptTokens(IntStream.range(0, 40).map(t -> t == 0 ? 1 : t < 32 ? 3 + (family * 37 + t * 11) % 500
              : 3 + (i * 13 + t * 7) % 500).boxed().toList());
        } else {
          r.setPrompt("Once upon a time, a little girl named Lily found " + (i - 39) + " shiny stones");
        }
        producer.send(new ProducerRecord<>(topic, i % 3, null, r.build())).get();
      }
    }

    int code = sluice("bench", "replay", "--from-topic", topic, "--source-bootstrap-servers", bootstrap,
        "--model", ModelLocator.embeddedModel().toString(), "--policies", "cache_aware,round_robin", "--speed", "max",
        "--stages", "2", "--workers-per-stage", "1", "--lanes", "4");

    assertThat(code).as(err.toString()).isZero();
    String printed = out.toString();
    assertThat(printed).contains("topic " + topic).contains(": 50 requests, speed max")
        .contains("[1/2] cache_aware: ok 50, failed 0").contains("[2/2] round_robin: ok 50, failed 0")
        .contains("identical outputs under every policy: 50 of 50 requests");
    List<String> rows = printed.lines().filter(l -> l.matches("^(cache_aware|round_robin) +50 +0 .*")).toList();
    assertThat(rows).hasSize(2);
  }
}
