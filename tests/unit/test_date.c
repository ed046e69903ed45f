/* Unit tests of feed_date_parse(): every case of tests/data/dates.txt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/base.h"
#include "feed/feed.h"

static void
every_case_in_dates_txt_parses_as_expected(void **state)
{
	char path[1024], line[1024], got[32], *tab, *want;
	const char *dir = getenv("TESTS_DIR");
	int64_t t;
	int lineno = 0, cases = 0, bad = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/data/dates.txt", dir ? dir : "tests");
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((tab = strrchr(line, '\t')) == NULL) {
			print_error("dates.txt:%d: no tab\n", lineno);
			bad++;
			continue;
		}
		*tab = '\0';
		want = tab + 1;
		cases++;
		t = feed_date_parse(line);
		if (t == NF_TIME_NONE)
			snprintf(got, sizeof(got), "NONE");
		else
			nf_time_rfc3339(t, got);
		if (strcmp(got, want) != 0) {
			print_error("dates.txt:%d: \"%s\": got %s, want %s\n",
			    lineno, line, got, want);
			bad++;
		}
	}
	fclose(f);
	assert_true(cases >= 80);
	assert_int_equal(bad, 0);
}

static void
null_and_overlong_input_give_no_time(void **state)
{
	char big[300];

	assert_true(feed_date_parse(NULL) == NF_TIME_NONE);
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_true(feed_date_parse(big) == NF_TIME_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_case_in_dates_txt_parses_as_expected),
		cmocka_unit_test(null_and_overlong_input_give_no_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
