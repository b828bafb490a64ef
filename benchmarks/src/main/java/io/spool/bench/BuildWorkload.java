package io.spool.bench;

import io.spool.client.Function;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A function with one small requirement: the first build of an environment against the build of the same
 * requirement again (from the cache), save → built. Each repetition makes the requirement string unique with an
 * exclusion that matches nothing, so its first build cannot hit an earlier repetition's cache.
 */
final class BuildWorkload {

  /** The small requirement: a version that the image's own {@code idna} differs from, so pip has to install it. */
  static final String REQUIREMENT = "idna==3.20";

  private BuildWorkload() {}

  static List<Measurement> run(BenchContext ctx) throws Exception {
    List<Double> first = new ArrayList<>();
    List<Double> cached = new ArrayList<>();
    for (int r = 0; r < ctx.options.repetitions(); r++) {
      String requirement = REQUIREMENT + ",!=0." + System.currentTimeMillis();
      first.add(build(ctx, requirement));
      cached.add(build(ctx, requirement));
      ctx.progress("  build %d/%d: first %.2f s, cached %.2f s", r + 1, ctx.options.repetitions(), first.get(r),
          cached.get(r));
      ctx.deleteFunctions();
    }
    return List.of(new Measurement("build", "requirement " + REQUIREMENT + ", cached build: save → built", "s",
        cached, "first build of the same requirement", first, Map.of()));
  }

  private static double build(BenchContext ctx, String requirement) throws InterruptedException {
    long start = System.nanoTime();
    Function f = ctx.track(ctx.burnFunction(1).requirements(List.of(requirement)).build().save());
    BenchContext.awaitBuilt(f);
    return BenchContext.seconds(start);
  }
}
