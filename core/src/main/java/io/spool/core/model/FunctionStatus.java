package io.spool.core.model;

import static io.spool.core.model.FunctionStatus.*;

/** The status of a function: its environment's build, then whether it runs jobs. */
public enum FunctionStatus {
  AWAITING_BUNDLE,
  BUILDING,
  BUILD_FAILED,
  READY,
  STOPPED;

  /** Every legal function transition. */
  public static final StatusTable<FunctionStatus> TRANSITIONS = StatusTable.builder(FunctionStatus.class)
      .allow(AWAITING_BUNDLE, BUILDING, BUILD_FAILED)
      .allow(BUILDING, READY, STOPPED, BUILD_FAILED)
      .allow(READY, STOPPED)
      .allow(STOPPED, READY)
      .build();

  /** Whether the environment is built (the function can run jobs once READY). */
  public boolean isBuilt() {
    return this == READY || this == STOPPED;
  }
}
