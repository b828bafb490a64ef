package io.spool.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.apache.log4j.Appender;
import org.apache.log4j.ConsoleAppender;
import org.apache.log4j.FileAppender;
import org.apache.log4j.Level;
import org.apache.log4j.LogManager;
import org.apache.log4j.Logger;
import org.apache.log4j.PatternLayout;

/**
 * Sends the log lines of this JVM (Hadoop's, ZooKeeper's, the embedded cluster's, and java.util.logging's of the
 * web apps) to a file instead of the console, for the commands whose console is a report for a person to read:
 * {@code spool bench} and {@code spool demo}. The command names the file at its end.
 */
public final class HadoopLog {

  private static final String PATTERN = "%d{ISO8601} %-5p [%t] %c{2}: %m%n";

  private HadoopLog() {
  }

  /** Moves every console appender's output to {@code file} (made anew); returns the file. */
  public static Path toFile(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    FileAppender appender = new FileAppender(new PatternLayout(PATTERN), file.toString(), false);
    appender.setName("file");
    Logger root = LogManager.getRootLogger();
    replaceConsole(root);
    root.addAppender(appender);
    for (Logger logger : loggers()) {
      // a logger that does not pass its lines on to the root's appenders gets the file of its own
      if (replaceConsole(logger) && !logger.getAdditivity()) {
        logger.addAppender(appender);
      }
    }
    java.util.logging.Logger julRoot = java.util.logging.LogManager.getLogManager().getLogger("");
    for (Handler handler : julRoot.getHandlers()) {
      if (handler instanceof java.util.logging.ConsoleHandler) {
        julRoot.removeHandler(handler);
      }
    }
    julRoot.addHandler(new ToLog4j());
    return file;
  }

  /** Removes a logger's console appenders; whether it had any. */
  private static boolean replaceConsole(Logger logger) {
    List<Appender> console = new ArrayList<>();
    for (Object a : Collections.list(logger.getAllAppenders())) {
      if (a instanceof ConsoleAppender) {
        console.add((Appender) a);
      }
    }
    console.forEach(logger::removeAppender);
    return !console.isEmpty();
  }

  private static List<Logger> loggers() {
    List<Logger> loggers = new ArrayList<>();
    for (Object l : Collections.list(LogManager.getCurrentLoggers())) {
      loggers.add((Logger) l);
    }
    return loggers;
  }

  /** java.util.logging's records, passed on to log4j under the same logger name. */
  private static final class ToLog4j extends Handler {
    /** Only its formatMessage is used: a record's parameters and resource bundle, as java.util.logging applies them. */
    private static final java.util.logging.Formatter MESSAGES = new java.util.logging.SimpleFormatter();

    @Override
    public void publish(LogRecord record) {
      if (!isLoggable(record)) {
        return;
      }
      int level = record.getLevel().intValue();
      Level log4j = level >= java.util.logging.Level.SEVERE.intValue() ? Level.ERROR
          : level >= java.util.logging.Level.WARNING.intValue() ? Level.WARN
          : level >= java.util.logging.Level.INFO.intValue() ? Level.INFO : Level.DEBUG;
      String name = record.getLoggerName() == null ? "jul" : record.getLoggerName();
      Logger.getLogger(name).log(log4j, MESSAGES.formatMessage(record), record.getThrown());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  }
}
