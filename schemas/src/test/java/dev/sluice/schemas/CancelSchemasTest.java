package dev.sluice.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schemas.serde.SchemaHistory;
import dev.sluice.schemas.serde.SluiceSerdes;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/** The cancel additions are compatible: records written before them still read, and the new values round-trip. */
class CancelSchemasTest {

  private static byte[] encode(Schema schema, GenericRecord record) throws Exception {
    ByteBuffer b = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(record);
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static Schema previous(String fullName, String symbolAbsent) {
    return SchemaHistory.historicalSchemas(fullName).stream()
        .filter(s -> !s.toString().contains(symbolAbsent)).reduce((a, b) -> b).orElseThrow();
  }

  @Test
  void shouldReadAResultWrittenBeforeCancelledExistedAndRoundTripACancelledDone() throws Exception {
    Schema v1 = previous(ResultEvent.getClassSchema().getFullName(), "CANCELLED");
    GenericRecord old = new GenericData.Record(v1);
    for (Schema.Field f : v1.getFields()) if (f.hasDefaultValue()) old.put(f.name(), GenericData.get().getDefaultValue(f));
    old.put("requestId", "r1");
    old.put("index", 3);
    old.put("kind", new GenericData.EnumSymbol(v1.getField("kind").schema(), "DONE"));
    ResultEvent read = SluiceSerdes.resultEvent().deserialize("t", encode(v1, old));
    assertThat(read.getKind()).isEqualTo(ResultKind.DONE);
    assertThat(read.getIndex()).isEqualTo(3);

    ResultEvent cancelled = ResultEvent.newBuilder().setRequestId("r2").setIndex(5).setKind(ResultKind.DONE)
        .setFinishReason(FinishReason.CANCELLED).build();
    assertThat(SluiceSerdes.resultEvent().deserialize("t", SluiceSerdes.resultEvent().serialize("t", cancelled)))
        .isEqualTo(cancelled);
  }

  @Test
  void shouldReadStepsWrittenBeforeCancelExistedAndRoundTripACancelRecordAndACancelRequest() throws Exception {
    Schema v2 = previous(StageWork.getClassSchema().getFullName(), "\"CANCEL\"");
    assertThat(v2.getField("kind").schema().getEnumSymbols()).doesNotContain("CANCEL");
    StageWork cancel = StageWork.newBuilder().setRequestId("r3").setLane(1).setKind(WorkKind.CANCEL).setStartPos(4)
        .setEndPos(5).setTokenIds(List.of(1, 2, 3, 4, 5)).setPromptLength(3)
        .setSampling(Sampling.newBuilder().setMaxTokens(9).build()).build();
    assertThat(SluiceSerdes.stageWork().deserialize("t", SluiceSerdes.stageWork().serialize("t", cancel))).isEqualTo(cancel);

    CancelRequest request = new CancelRequest("r3", "client_disconnected", 42L);
    assertThat(SluiceSerdes.cancelRequest().deserialize("t", SluiceSerdes.cancelRequest().serialize("t", request)))
        .isEqualTo(request);
  }
}
