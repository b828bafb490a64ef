package io.spool.core.channel;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The messages of the master–executor channel.
 *
 * <pre>
 * master → executor  challenge {nonce}                      right after the executor connects
 * executor → master  hello {container, mac, protocol}       mac = HMAC-SHA256(secret, nonce + container)
 * master → executor  welcome {protocol, callable, python, owner} or refused {error}
 * executor → master  want {count}                           asks for up to count more jobs than it has asked for
 * master → executor  jobs {jobs: [{job, attempt, args, kwargs, environment, timeout, memory}, ...]}
 *                                                           jobs to run one after another, in this order
 * executor → master  done {outcomes: [{job, attempt, status, exitCode, errorReason, runtime, resultKind, result, log,
 *                    statistics}, ...], want}              how jobs ended (result and log: the stores' locations),
 *                                                           in the order they ended; want as in a want message
 * master → executor  stop {reason}                          the executor holds no job: it exits
 * master → executor  cancel {job}                           at any time: kill that job if it runs, drop it if it
 *                                                           waits (either way it ends CANCELED)
 * master → executor  credentials {tokens}                   at any time: fresh delegation tokens (base64 of Hadoop's
 *                                                           token storage) to use from now on
 * </pre>
 *
 * An executor of another {@link #PROTOCOL} version than its master's is refused.
 */
public final class Messages {

  /** The version of these messages: the executor's hello names it, and the master refuses any other. */
  public static final int PROTOCOL = 2;

  public static final String TYPE = "type";
  public static final String CHALLENGE = "challenge";
  public static final String HELLO = "hello";
  public static final String WELCOME = "welcome";
  public static final String REFUSED = "refused";
  public static final String WANT = "want";
  public static final String DONE = "done";
  public static final String JOBS = "jobs";
  public static final String STOP = "stop";
  public static final String CANCEL = "cancel";
  public static final String CREDENTIALS = "credentials";

  private Messages() {}

  public static ObjectNode of(String type) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put(TYPE, type);
    return node;
  }

  public static String type(ObjectNode message) {
    return message.get(TYPE).asText();
  }
}
