// SPDX-License-Identifier: GPL-2.0-or-later
#include "dispatch.h"
#include "acc_test.h"
static void t(void **s){(void)s;}
int main(void){const struct CMUnitTest tests[]={cmocka_unit_test(t)};return ACC_RUN(tests);}
