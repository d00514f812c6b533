module example.com/goneat/echo

go 1.19
