package io.spool.local;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Quiets the java.util.logging chatter of Jersey and Guice, which Hadoop's web apps log outside log4j. */
final class JulLevels {

  /** Held so that the levels stay set: java.util.logging keeps its loggers only weakly. */
  private static final List<Logger> QUIETED = List.of(
      Logger.getLogger("com.sun.jersey"),
      Logger.getLogger("com.google.inject"));

  private JulLevels() {}

  /** Lets only SEVERE messages of those libraries through. */
  static void apply() {
    QUIETED.forEach(logger -> logger.setLevel(Level.SEVERE));
  }
}
