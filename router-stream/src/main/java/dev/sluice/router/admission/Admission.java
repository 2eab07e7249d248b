package dev.sluice.router.admission;

import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.StageWork;

/** What the router makes of one readable request. */
public sealed interface Admission {

  /**
   * A valid request: the whole prompt as one PREFILL_CHUNK template (lane not chosen yet, so -1;
   * routedAtMs holds the time the router received it until a lane is chosen).
   *
   * @param familyKey hex of the prefix family hash: the repartition key
   */
  record Accepted(StageWork prompt, String familyKey) implements Admission {}

  /** An invalid request and the ERROR result that tells its client why. */
  record Rejected(ResultEvent error) implements Admission {}
}
