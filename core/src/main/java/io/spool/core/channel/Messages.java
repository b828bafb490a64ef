package io.spool.core.channel;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The messages of the master–executor channel.
 *
 * <pre>
 * master → executor  challenge {nonce}                      right after the executor connects
 * executor → master  hello {container, mac}                 mac = HMAC-SHA256(secret, nonce + container)
 * master → executor  welcome {callable, python, owner, environment, bundle} or refused {error}
 * executor → master  next {}                                asks for work
 * executor → master  done {job, attempt, status, exitCode, errorReason, runtime, resultKind} then waits for work
 * master → executor  job {job, attempt, args, kwargs, environment, timeout}
 * master → executor  stop {reason}                          the executor exits
 * master → executor  cancel {job}                           at any time: kill that job if it runs (it ends CANCELED)
 * master → executor  credentials {tokens}                   at any time: fresh delegation tokens (base64 of Hadoop's
 *                                                           token storage) to use from now on
 * </pre>
 */
public final class Messages {

  public static final String TYPE = "type";
  public static final String CHALLENGE = "challenge";
  public static final String HELLO = "hello";
  public static final String WELCOME = "welcome";
  public static final String REFUSED = "refused";
  public static final String NEXT = "next";
  public static final String DONE = "done";
  public static final String JOB = "job";
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
