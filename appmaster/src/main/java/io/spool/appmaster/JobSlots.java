package io.spool.appmaster;

/** How many jobs this master may run at once, beyond its function's maximumConcurrency. */
interface JobSlots {

  /** No limit: the function's maximumConcurrency alone decides. */
  JobSlots UNLIMITED = new JobSlots() {
    @Override
    public int permitted() {
      return Integer.MAX_VALUE;
    }

    @Override
    public void update(int want, int running) {}
  };

  /** How many jobs this master may run at once now. */
  int permitted();

  /** Tells how many jobs this master wants to run at once and how many run; cheap when unchanged. */
  void update(int want, int running);
}
