package io.spool.client.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A function's bundle, made by {@link Bundler}.
 *
 * @param zip the zip's bytes
 * @param callable what the worker imports and calls, {@code module:function}
 * @param functionName the entrypoint function's name (the function's default display name)
 * @param requirements the requirement lines, validated and canonical, in order
 * @param warnings what the user should know but did not prevent the bundle (a data pattern that matched nothing)
 */
public record Bundle(byte[] zip, String callable, String functionName, List<String> requirements,
    List<String> warnings) {

  public Bundle {
    Objects.requireNonNull(zip, "zip");
    requirements = List.copyOf(requirements);
    warnings = List.copyOf(warnings);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Bundle that && Arrays.equals(zip, that.zip) && callable.equals(that.callable)
        && functionName.equals(that.functionName) && requirements.equals(that.requirements)
        && warnings.equals(that.warnings);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(zip), callable, functionName, requirements, warnings);
  }

  @Override
  public String toString() {
    return "Bundle[" + zip.length + " bytes, callable=" + callable + ", requirements=" + requirements
        + ", warnings=" + warnings + "]";
  }
}
