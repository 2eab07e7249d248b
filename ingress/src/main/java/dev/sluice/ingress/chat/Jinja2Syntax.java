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
    int depth = 1;
    char quote = 0;
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == '\\') i++;
        else if (c == quote) quote = 0;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if ((c == ')' || c == ']' || c == '}') && --depth == 0) {
        return c == ')' ? i : -1;
      }
    }
    return -1;
  }

  private static String[] splitTopLevel(String args) {
    java.util.List<String> parts = new java.util.ArrayList<>();
    int depth = 0;
    char quote = 0;
    int start = 0;
    for (int i = 0; i < args.length(); i++) {
      char c = args.charAt(i);
      if (quote != 0) {
        if (c == '\\') i++;
        else if (c == quote) quote = 0;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if (c == ')' || c == ']' || c == '}') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(args.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(args.substring(start));
    return parts.toArray(String[]::new);
  }
}
