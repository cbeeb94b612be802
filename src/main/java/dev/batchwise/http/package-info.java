/** HTTP plumbing shared by the features' REST resources: the API's one exception mapper. */
package dev.batchwise.http;
