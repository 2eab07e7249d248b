package dev.sluice.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.schemas.serde.SchemaHistory;
import dev.sluice.schemas.serde.SluiceHeaders;
import dev.sluice.schemas.serde.UnreadableRecordException;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.schemas.topic.Topic;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every record type through a real broker, schema evolution, JSON requests and garbage bytes. */
@ExtendWith(SharedKafkaExtension.class)
class SchemasOverKafkaTest {
  private static SluiceTopics topics;

  @BeforeAll
  static void createTopics() throws Exception {
    topics = new SluiceTopics(SharedKafkaExtension.uniquePrefix("schemas"));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafkaExtension.bootstrapServers()))) {
      List<NewTopic> all = new ArrayList<>();
      for (String name : List.of(topics.requests().name(), topics.stage(0).name(), topics.results().name(),
          topics.workers().name(), topics.kvEvents().name())) {
        all.add(new NewTopic(name, 1, (short) 1));
      }
      admin.createTopics(all).all().get();
    }
  }

  private static <V> V roundTrip(Topic<String, V> topic, V value) {
    send(topic.name(), topic.valueSerde().serializer().serialize(topic.name(), value), Map.of());
    byte[] bytes = lastValue(topic.name());
    return topic.valueSerde().deserializer().deserialize(topic.name(), bytes);
  }

  @Test
  void shouldRoundTripEveryRecordTypeThroughARealTopic() {
    InferenceRequest request = InferenceRequest.newBuilder().setRequestId("r-1").setPrompt("Once upon a time")
        .setMaxTokens(16).setTemperature(0.7f).setStop(List.of("\n\n")).setSeed(42L).setDeadlineMs(99L).build();
    assertThat(roundTrip(topics.requests(), request)).isEqualTo(request);

    StageWork work = StageWork.newBuilder().setRequestId("r-1").setLane(3).setKind(WorkKind.PREFILL_CHUNK)
        .setStartPos(0).setEndPos(2).setTokenIds(List.of(1, 403)).setPromptLength(2)
        .setBlockHashes(List.of(ByteBuffer.wrap(new byte[16])))
        .setSampling(Sampling.newBuilder().setMaxTokens(16).build())
        .setHidden(HiddenStates.newBuilder().setData(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
            .setShape(List.of(2, 1)).build())
        .setStamps(List.of(new StageStamp(0, "w0", 1L, 2L, 1L, List.of(0)))).setReplyPartition(5).build();
    assertThat(roundTrip(topics.stage(0), work)).isEqualTo(work);

    ResultEvent result = ResultEvent.newBuilder().setRequestId("r-1").setIndex(4).setKind(ResultKind.DONE)
        .setText("The end.").setFinishReason(FinishReason.STOP).setUsage(new Usage(2, 0, 4))
        .setTimings(Timings.newBuilder().setCreatedAtMs(1L).setDoneAtMs(9L).setStageMillis(Map.of("0", 3L)).build())
        .build();
    assertThat(roundTrip(topics.results(), result)).isEqualTo(result);

    WorkerStatus status = WorkerStatus.newBuilder().setWorkerId("w0").setStage(0).setLayerStart(0).setLayerEnd(3)
        .setLanes(List.of(0, 1)).setState(WorkerState.READY).setTimestampMs(5L).build();
    assertThat(roundTrip(topics.workers(), status)).isEqualTo(status);

    KvEvent kv = KvEvent.newBuilder().setWorkerId("w0").setStage(0).setLane(1)
        .setStored(List.of(ByteBuffer.wrap(new byte[16]))).setTimestampMs(6L).build();
    assertThat(roundTrip(topics.kvEvents(), kv)).isEqualTo(kv);
  }

  @Test
  void shouldReadARequestWrittenWithTheOlderSchemaWithDefaultsFilledIn() throws Exception {
    Schema v1 = SchemaHistory.historicalSchemas(InferenceRequest.getClassSchema().getFullName()).get(0);
    assertThat(v1.getField("topK")).isNull();
    GenericRecord old = new GenericData.Record(v1);
    for (Schema.Field f : v1.getFields()) old.put(f.name(), GenericData.get().getDefaultValue(f));
    old.put("requestId", "old-1");
    old.put("prompt", "Lily and Tom");
    old.put("maxTokens", 7);
    ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);

    String topic = topics.requests().name();
    send(topic, bytes, Map.of());
    InferenceRequest read = topics.requests().valueSerde().deserializer().deserialize(topic, lastValue(topic));
    assertThat(read.getRequestId()).isEqualTo("old-1");
    assertThat(read.getPrompt()).isEqualTo("Lily and Tom");
    assertThat(read.getMaxTokens()).isEqualTo(7);
    assertThat(read.getTopK()).isZero(); // v2 field, default
    assertThat(read.getCacheSalt()).isNull();
    assertThat(read.getDeadlineMs()).isNull();
  }

  @Test
  void shouldAcceptAJsonRequestOnTheRequestsTopic() {
    String topic = topics.requests().name();
    byte[] json = "{\"requestId\":\"json-1\",\"prompt\":\"Once upon a time\",\"max_tokens\":8}"
        .getBytes(StandardCharsets.UTF_8);
    send(topic, json, Map.of(SluiceHeaders.CONTENT_TYPE, SluiceHeaders.JSON));
    ConsumerRecord<byte[], byte[]> rec = lastRecord(topic);
    InferenceRequest read = topics.requests().valueSerde().deserializer().deserialize(topic, rec.headers(), rec.value());
    assertThat(read.getRequestId()).isEqualTo("json-1");
    assertThat(read.getPrompt()).isEqualTo("Once upon a time");
    assertThat(read.getMaxTokens()).isEqualTo(8);
  }

  @Test
  void shouldRaiseTheDefinedExceptionOnGarbageBytes() {
    String topic = topics.requests().name();
    send(topic, new byte[] {(byte) 0xC3, 0x01, 9, 9, 9, 9, 9, 9, 9, 9, 1, 2}, Map.of());
    byte[] unknownFingerprint = lastValue(topic);
    assertThatThrownBy(() -> topics.requests().valueSerde().deserializer().deserialize(topic, unknownFingerprint))
        .isInstanceOf(UnreadableRecordException.class)
        .satisfies(e -> assertThat(((UnreadableRecordException) e).reason()).contains("unknown schema"));

    send(topic, "not a request at all".getBytes(StandardCharsets.UTF_8), Map.of());
    byte[] text = lastValue(topic);
    assertThatThrownBy(() -> topics.requests().valueSerde().deserializer().deserialize(topic, text))
        .isInstanceOf(UnreadableRecordException.class);

    String stage = topics.stage(0).name();
    send(stage, new byte[] {1, 2, 3}, Map.of());
    byte[] junk = lastValue(stage);
    assertThatThrownBy(() -> topics.stage(0).valueSerde().deserializer().deserialize(stage, junk))
        .isInstanceOf(UnreadableRecordException.class);
  }

  private static void send(String topic, byte[] value, Map<String, String> headers) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafkaExtension.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topic, value);
      headers.forEach((k, v) -> rec.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
      producer.send(rec).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] lastValue(String topic) {
    return lastRecord(topic).value();
  }

  /** Reads the topic from the beginning and returns its last record. */
  private static ConsumerRecord<byte[], byte[]> lastRecord(String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafkaExtension.bootstrapServers());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      var tp = new org.apache.kafka.common.TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      consumer.seek(tp, end - 1);
      long deadline = System.currentTimeMillis() + 15_000;
      while (System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) return r;
      }
      throw new AssertionError("no record on " + topic);
    }
  }
}
