package io.spool.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.hadoop.hdfs.security.token.delegation.DelegationTokenIdentifier;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.security.Credentials;
import org.apache.hadoop.security.token.Token;
import org.junit.jupiter.api.Test;

class TokenRefresherTest {

  private static Token<DelegationTokenIdentifier> token(long issued, long maxDate, String service) {
    DelegationTokenIdentifier id = new DelegationTokenIdentifier(new Text("alice"), new Text("hadoop"), null);
    id.setIssueDate(issued);
    id.setMaxDate(maxDate);
    Token<DelegationTokenIdentifier> token = new Token<>(id.getBytes(), new byte[] {1}, id.getKind(),
        new Text(service));
    return token;
  }

  @Test
  void theFirstRefreshComesThreeQuartersOfTheWayToTheEarliestMaximumDate() {
    Credentials credentials = new Credentials();
    credentials.addToken(new Text("a"), token(1_000, 121_000, "a"));
    credentials.addToken(new Text("b"), token(1_000, 41_000, "b"));
    assertEquals(31_000 - 5_000, TokenRefresher.delayUntilRefresh(credentials, 5_000));
  }

  @Test
  void tokensPastTheirRefreshPointOrNoneAtAllMeanRefreshingAtOnce() {
    Credentials late = new Credentials();
    late.addToken(new Text("a"), token(0, 100_000, "a"));
    assertEquals(0, TokenRefresher.delayUntilRefresh(late, 90_000));
    assertEquals(0, TokenRefresher.delayUntilRefresh(new Credentials(), 90_000));
  }
}
