// Not a command: `drkit check` forks this to run the user's Pulumi program in a process of its own, so
// that whatever the program does to its process (exit, hang, crash) cannot decide the check.
"use strict";
require("./load").loadDrkitModule("programProcess").serveProgramRequest();
