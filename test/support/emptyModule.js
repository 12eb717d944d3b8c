// Stand-in for `typescript` and `@npmcli/arborist` under jest: @pulumi/pulumi imports them eagerly
// for closure serialization and dynamic providers, which the mocked tests never exercise.
module.exports = {};
