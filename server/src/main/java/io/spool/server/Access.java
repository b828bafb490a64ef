package io.spool.server;

import io.spool.client.Function;
import io.spool.client.Job;
import io.spool.core.model.JobId;

/** Reads a function or a job for a call, refusing (403) one that belongs to another user. */
final class Access {

  private Access() {}

  static Function function(Call call, String id) {
    if (!JobId.isFunctionId(id)) {
      throw ApiException.notFound("no function with id '" + id + "'");
    }
    Function f = Function.get(call.spool(), id);
    if (!call.user().equals(f.owner())) {
      throw ApiException.forbidden("function " + id + " belongs to another user than " + call.user());
    }
    return f;
  }

  static Job job(Call call, String id) {
    String functionId;
    try {
      functionId = JobId.functionId(id);
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound("no job with id '" + id + "'");
    }
    function(call, functionId);
    return Job.get(call.spool(), id);
  }
}
