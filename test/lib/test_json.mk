test_json_SRCS := lib/json.c lib/fmt.c
