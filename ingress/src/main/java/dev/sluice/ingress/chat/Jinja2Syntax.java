package dev.sluice.ingress.chat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the two Jinja2 spellings that Hugging Face chat templates use and Jinjava's parser does not
 * accept into equivalents it does, before the template is compiled:
 * <ul>
 *   <li>a reversing slice {@code messages[::-1]} becomes {@code (messages|reverse)} (Jinjava knows
 *       {@code [a:b]} but no step);
 *   <li>a keyword argument whose value is an expression, {@code namespace(i=messages|length - 1)},
 *       gets its value parenthesized, {@code namespace(i=(messages|length - 1))} (Jinjava binds
 *       {@code i=messages|length} first and then subtracts from the named parameter).
 * </ul>
 * Both occur in Qwen3's template; anything else is left as written.
 */
final class Jinja2Syntax {
  private static final Pattern REVERSED = Pattern.compile("([A-Za-z_][\\w.]*(?:\\[[^\\]\\[]*\\])*)\\[\\s*::\\s*-1\\s*\\]");
  private static final Pattern NAMESPACE_CALL = Pattern.compile("\\bnamespace\\(");

  private Jinja2Syntax() {}

  static String rewrite(String source) {
    String s = REVERSED.matcher(source).replaceAll(m -> Matcher.quoteReplacement("(" + m.group(1) + "|reverse)"));
    return parenthesizeKeywordValues(s);
  }

  private static String parenthesizeKeywordValues(String s) {
    StringBuilder out = new StringBuilder();
    Matcher call = NAMESPACE_CALL.matcher(s);
    int from = 0;
    while (call.find(from)) {
      int open = call.end(); // just after '('
      int close = matchingParen(s, open);
      if (close < 0) break;
      out.append(s, from, open);
      String[] args = splitTopLevel(s.substring(open, close));
      for (int i = 0; i < args.length; i++) {
        out.append(i == 0 ? "" : ",").append(keywordValueInParens(args[i]));
      }
      out.append(')');
      from = close + 1;
    }
    return out.append(s.substring(from)).toString();
  }

  private static String keywordValueInParens(String arg) {
    Matcher keyword = Pattern.compile("^(\\s*[A-Za-z_]\\w*\\s*=)(?!=)(.*)$", Pattern.DOTALL).matcher(arg);
    return keyword.matches() ? keyword.group(1) + "(" + keyword.group(2) + ")" : arg;
  }

  /** The index of the ')' closing the '(' just before {@code from}, skipping strings; -1 if none. */
  private static int matchingParen(String s, int from) {
    int close = scan(s, from, 1, (i, c, depth) -> depth == 0);
    return close >= 0 && s.charAt(close) == ')' ? close : -1;
  }

  private static String[] splitTopLevel(String args) {
    java.util.List<Integer> commas = new java.util.ArrayList<>();
    scan(args, 0, 0, (i, c, depth) -> {
      if (c == ',' && depth == 0) commas.add(i);
      return false;
    });
    java.util.List<String> parts = new java.util.ArrayList<>();
    int start = 0;
    for (int comma : commas) {
      parts.add(args.substring(start, comma));
      start = comma + 1;
    }
    parts.add(args.substring(start));
    return parts.toArray(String[]::new);
  }

  /** Told of each character outside string literals, with the bracket depth after it; true stops the scan. */
  private interface Visitor {
    boolean stop(int index, char c, int depth);
  }

  /** Walks {@code s} from {@code from} at bracket depth {@code depth}; the index the visitor stopped at, or -1. */
  private static int scan(String s, int from, int depth, Visitor visitor) {
    char quote = 0;
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == '\\') i++;
        else if (c == quote) quote = 0;
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
        continue;
      }
      if (c == '(' || c == '[' || c == '{') depth++;
      else if (c == ')' || c == ']' || c == '}') depth--;
      if (visitor.stop(i, c, depth)) return i;
    }
    return -1;
  }
}
