package portal

import "testing"

func TestTableRowsEscapesEveryCell(t *testing.T) {
	got := string(tableRows([][]string{{"+4420 7946 0000", `<script>alert("x")</script>`}, {"a&b", "it's", "\x00"}}))
	want := "<tr><td>+4420 7946 0000</td><td>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</td></tr>\n" +
		"<tr><td>a&amp;b</td><td>it&#39;s</td><td>\uFFFD</td></tr>\n"
	if got != want {
		t.Errorf("tableRows:\n got %q\nwant %q", got, want)
	}
}
